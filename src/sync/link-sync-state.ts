import type { EntityManager } from '@mikro-orm/core';
import { SyncMapping, SyncRun, type Connection } from '../store/entities/index.js';

/**
 * What a link's sync is doing, as `Connection.syncState` shows it — the first that applies:
 * - `PAUSED`: the link is not ACTIVE (needs a relink, or revoked): nothing syncs;
 * - `SYNCING`: a run holds the link's lease now;
 * - `HELD`: the mass-deletion guard holds deletions (`deletionsHeld`) until `syncNow(confirmDeletions: true)`;
 * - `ERROR`: the last finished run FAILED, or pairs are in ERROR (they are retried with backoff);
 * - `PENDING`: host changes wait to be written;
 * - `IDLE`: nothing to do until the next poll.
 */
export const LINK_SYNC_STATES = ['IDLE', 'SYNCING', 'PENDING', 'HELD', 'ERROR', 'PAUSED'] as const;
export type LinkSyncState = (typeof LINK_SYNC_STATES)[number];

export interface LinkSyncFacts {
  active: boolean;
  leaseHeld: boolean;
  deletionsHeld: boolean;
  lastRunFailed: boolean;
  itemsInError: boolean;
  itemsPending: boolean;
}

export function linkSyncStateOf(f: LinkSyncFacts): LinkSyncState {
  if (!f.active) return 'PAUSED';
  if (f.leaseHeld) return 'SYNCING';
  if (f.deletionsHeld) return 'HELD';
  if (f.lastRunFailed || f.itemsInError) return 'ERROR';
  if (f.itemsPending) return 'PENDING';
  return 'IDLE';
}

/** Reads the facts of `link` (three indexed lookups, only those the answer needs) and returns its state. */
export async function readLinkSyncState(em: EntityManager, link: Connection, now = new Date()): Promise<LinkSyncState> {
  const facts: LinkSyncFacts = {
    active: link.status === 'ACTIVE',
    leaseHeld: link.leaseOwner !== null && link.leaseExpiresAt !== null && link.leaseExpiresAt > now,
    deletionsHeld: (link.deletionsHeld ?? 0) > 0,
    lastRunFailed: false,
    itemsInError: false,
    itemsPending: false,
  };
  const early = linkSyncStateOf(facts);
  if (early !== 'IDLE') return early;
  const lastRun = await em.findOne(SyncRun, { connectionId: link.id, finishedAt: { $ne: null } }, { orderBy: { startedAt: 'desc' }, fields: ['outcome'] });
  facts.lastRunFailed = lastRun?.outcome === 'FAILED';
  facts.itemsInError = (await em.count(SyncMapping, { connectionId: link.id, state: 'ERROR', closedAt: null })) > 0;
  if (!facts.lastRunFailed && !facts.itemsInError) {
    facts.itemsPending = (await em.count(SyncMapping, { connectionId: link.id, state: 'PENDING', closedAt: null })) > 0;
  }
  return linkSyncStateOf(facts);
}
