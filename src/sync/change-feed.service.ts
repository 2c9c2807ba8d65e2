import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../domain/errors.js';
import type { HubId } from '../domain/ids.js';
import type { AppointmentChangeKind, ProviderSlug } from '../domain/model.js';
import { AppointmentChange } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { pageSize } from '../store/repositories/paginate.js';
import { nextSequenceValue } from '../store/sequences.js';

/** A gap in the sequence younger than this is a write still in flight: the feed stops before it. */
export const GAP_GRACE_MS = 30_000;

const CURSOR_PREFIX = 'seq:';

export function encodeChangeCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`, 'utf8').toString('base64url');
}

export function decodeChangeCursor(cursor: string): number {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^seq:(\d{1,15})$/.exec(decoded);
  if (!m) throw new ValidationError('after', 'is not a cursor returned by appointmentChanges');
  return Number(m[1]);
}

export interface ChangePage {
  edges: { cursor: string; node: AppointmentChange }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * The change feed: every change the hub applied to host appointments from the provider side, in
 * one total order per tenant. Rows are numbered from a per-tenant sequence (src/store/sequences.ts)
 * in the same transaction as the appointment change, so a reader resuming after cursor N sees
 * every later change exactly once — across pages, restarts and instances. On MongoDB, where the
 * number is taken before the row is written, a reader stops at a hole in the numbering until it is
 * filled or older than `GAP_GRACE_MS` (a writer that died after taking a number).
 */
export class ChangeFeed {
  constructor(private readonly deps: { orm: Orm; now?: () => number }) {}

  /** Records a change with `em` (inside the caller's transaction). */
  async record(
    em: EntityManager,
    change: {
      tenantId: HubId<'tenant'>;
      appointmentId: HubId<'appointment'>;
      userId: HubId<'hostUser'>;
      kind: AppointmentChangeKind;
      provider: ProviderSlug;
      connectionId: HubId<'connection'>;
      at: Date;
    },
  ): Promise<AppointmentChange> {
    const seq = await nextSequenceValue(em, `appointment-changes:${change.tenantId}`);
    const row = new AppointmentChange({ ...change, seq });
    em.persist(row);
    return row;
  }

  async list(tenantId: HubId<'tenant'>, args: { after?: string | null; first?: number | null }): Promise<ChangePage> {
    const first = pageSize(args.first);
    const after = args.after ? decodeChangeCursor(args.after) : 0;
    const rows = await this.deps.orm.em.fork().find(AppointmentChange, { tenantId, seq: { $gt: after } }, { orderBy: { seq: 'asc' }, limit: first + 1 });
    const now = this.deps.now?.() ?? Date.now();
    const edges: ChangePage['edges'] = [];
    let expected = after + 1;
    let stopped = false;
    for (const row of rows) {
      if (edges.length === first) break;
      if (row.seq !== expected && now - row.createdAt.getTime() < GAP_GRACE_MS) {
        stopped = true;
        break;
      }
      edges.push({ cursor: encodeChangeCursor(row.seq), node: row });
      expected = row.seq + 1;
    }
    const endCursor = edges.at(-1)?.cursor ?? args.after ?? null;
    return { edges, pageInfo: { hasNextPage: !stopped && rows.length > edges.length, endCursor } };
  }
}
