import { randomBytes } from 'node:crypto';
import type { HubId } from '../domain/ids.js';
import { Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

/** How long a lease lasts without renewal; a crashed worker's lease frees itself after this. */
export const DEFAULT_LEASE_MS = 120_000;

export interface Lease {
  readonly connectionId: HubId<'connection'>;
  readonly owner: string;
  /** Extends the lease; false when it was lost (expired and taken by another worker). */
  renew(): Promise<boolean>;
  /**
   * Cheap to call often (per pair, per page): renews the lease once a third of its lifetime has
   * passed since the last renewal, and beats `heartbeat` (the job's `touch()`), so a long run keeps
   * both its lease and its job lock. Throws `LeaseLostError` when the lease was lost.
   */
  keepAlive(): Promise<void>;
  release(): Promise<void>;
}

/** A run's lease expired and another worker took the link: the run stops before writing anything more. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly connectionId: string) {
    super(`the lease on link ${connectionId} was lost during a run`);
  }
}

/**
 * The per-link lease: at most one worker — in any process sharing the database — reads or writes
 * a link's pairs at a time. Agenda's locking keeps one job from running twice; the lease keeps two
 * different jobs of the same link (a poll, an outbound write, a manual run) from interleaving
 * their writes to the same pairs. Taking it is one conditional update on the connection row
 * (atomic on SQLite and MongoDB alike); a lease whose holder died expires after `ttlMs`.
 */
export class LinkLeases {
  constructor(private readonly deps: { orm: Orm; ttlMs?: number; now?: () => Date }) {}

  private get ttlMs(): number {
    return this.deps.ttlMs ?? DEFAULT_LEASE_MS;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The lease, or null when another worker holds it. `heartbeat` runs with every renewal (keeps the job's lock). */
  async acquire(connectionId: HubId<'connection'>, heartbeat?: () => Promise<void>): Promise<Lease | null> {
    const owner = randomBytes(9).toString('base64url');
    const now = this.now();
    const taken = await this.deps.orm.em.fork().nativeUpdate(
      Connection,
      { id: connectionId, $or: [{ leaseOwner: null }, { leaseExpiresAt: null }, { leaseExpiresAt: { $lt: now } }] },
      { leaseOwner: owner, leaseExpiresAt: new Date(now.getTime() + this.ttlMs) },
    );
    if (taken !== 1) return null;
    let renewedAt = Date.now();
    const renew = async () => {
      const renewed = await this.deps.orm.em
        .fork()
        .nativeUpdate(Connection, { id: connectionId, leaseOwner: owner }, { leaseExpiresAt: new Date(this.now().getTime() + this.ttlMs) });
      renewedAt = Date.now();
      await heartbeat?.();
      return renewed === 1;
    };
    return {
      connectionId,
      owner,
      renew,
      keepAlive: async () => {
        if (Date.now() - renewedAt < this.ttlMs / 3) return;
        if (!(await renew())) throw new LeaseLostError(connectionId);
      },
      release: async () => {
        await this.deps.orm.em.fork().nativeUpdate(Connection, { id: connectionId, leaseOwner: owner }, { leaseOwner: null, leaseExpiresAt: null });
      },
    };
  }
}
