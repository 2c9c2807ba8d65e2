import type { ConflictChoice, ConflictPolicy } from '../model.js';

/**
 * The pair decision table: one pure, exhaustive function from what each side of a pair shows to
 * exactly one action (docs/sync.md renders it). Provider and database I/O happen outside.
 *
 * Host side of a pair (relative to the version and content hash stored at the last sync):
 * - `ABSENT`    no host appointment (a provider event the hub has not imported);
 * - `NEW`       a live appointment whose event was never written outside;
 * - `UNCHANGED` / `CHANGED` / `DELETED` (tombstoned in the host).
 *
 * Provider side:
 * - `ABSENT`    no event for the pair yet;
 * - `NEW`       an event no live pair points at (a new event, or one of the hub's own events whose
 *               pair was lost — re-adoption);
 * - `UNCHANGED` / `CHANGED` / `DELETED` (a tombstone, or missing from a complete full read).
 *
 * A side is CHANGED only when its version moved and its content hash differs from the stored one,
 * so the echo of the hub's own write is UNCHANGED.
 */
export const HOST_SIDES = ['ABSENT', 'NEW', 'UNCHANGED', 'CHANGED', 'DELETED'] as const;
export type HostSide = (typeof HOST_SIDES)[number];
export const PROVIDER_SIDES = ['ABSENT', 'NEW', 'UNCHANGED', 'CHANGED', 'DELETED'] as const;
export type ProviderSide = (typeof PROVIDER_SIDES)[number];

export const SYNC_ACTIONS = [
  'NOTHING',
  /** Both sides hold the same content already: record the versions and hashes, write nothing. */
  'LINK',
  'CREATE_OUTSIDE',
  'UPDATE_OUTSIDE',
  'DELETE_OUTSIDE',
  /** The event is gone at the provider and the host's version wins: write it again as a new event (next tag generation). */
  'RECREATE_OUTSIDE',
  'CREATE_HOST',
  'UPDATE_HOST',
  'DELETE_HOST',
  /** The appointment was deleted in the host and the provider's version wins: bring it back with the provider's content. */
  'RESTORE_HOST',
  /** Both sides are gone: close the pair. */
  'FORGET',
  /** A conflict waits for `resolveConflict` (MANUAL policy): nothing is written. */
  'HOLD',
] as const;
export type SyncAction = (typeof SYNC_ACTIONS)[number];

/** The three kinds of conflict (both sides moved since the last sync). */
export type ConflictKind = 'EDIT_EDIT' | 'HOST_DELETED_PROVIDER_EDITED' | 'HOST_EDITED_PROVIDER_DELETED';

/** One cell of the table: an action, or a conflict the policy decides, or "adopt" (two versions, no baseline). */
export type TableCell =
  | { kind: 'ACTION'; action: SyncAction; twoWayOff?: SyncAction }
  | { kind: 'CONFLICT'; conflict: ConflictKind; twoWayOff: SyncAction }
  | { kind: 'ADOPT' }
  | { kind: 'IMPOSSIBLE'; action: SyncAction };

const act = (action: SyncAction, twoWayOff?: SyncAction): TableCell => (twoWayOff ? { kind: 'ACTION', action, twoWayOff } : { kind: 'ACTION', action });

/**
 * `TABLE[host][provider]`. With two-way sync off the host is the only source of truth: provider
 * edits are overwritten and provider deletions re-created (`twoWayOff`); inbound reads do not run
 * then, so those cells are reached only through a 412 on write or a verify run.
 */
export const DECISION_TABLE: Record<HostSide, Record<ProviderSide, TableCell>> = {
  ABSENT: {
    ABSENT: { kind: 'IMPOSSIBLE', action: 'NOTHING' },
    NEW: act('CREATE_HOST', 'NOTHING'),
    UNCHANGED: { kind: 'IMPOSSIBLE', action: 'NOTHING' },
    CHANGED: { kind: 'IMPOSSIBLE', action: 'NOTHING' },
    DELETED: act('NOTHING'),
  },
  NEW: {
    ABSENT: act('CREATE_OUTSIDE'),
    NEW: { kind: 'ADOPT' },
    UNCHANGED: { kind: 'IMPOSSIBLE', action: 'CREATE_OUTSIDE' },
    CHANGED: { kind: 'IMPOSSIBLE', action: 'CREATE_OUTSIDE' },
    DELETED: { kind: 'IMPOSSIBLE', action: 'NOTHING' },
  },
  UNCHANGED: {
    ABSENT: { kind: 'IMPOSSIBLE', action: 'CREATE_OUTSIDE' },
    NEW: { kind: 'ADOPT' },
    UNCHANGED: act('NOTHING'),
    CHANGED: act('UPDATE_HOST', 'UPDATE_OUTSIDE'),
    DELETED: act('DELETE_HOST', 'RECREATE_OUTSIDE'),
  },
  CHANGED: {
    ABSENT: { kind: 'IMPOSSIBLE', action: 'CREATE_OUTSIDE' },
    NEW: { kind: 'ADOPT' },
    UNCHANGED: act('UPDATE_OUTSIDE'),
    CHANGED: { kind: 'CONFLICT', conflict: 'EDIT_EDIT', twoWayOff: 'UPDATE_OUTSIDE' },
    DELETED: { kind: 'CONFLICT', conflict: 'HOST_EDITED_PROVIDER_DELETED', twoWayOff: 'RECREATE_OUTSIDE' },
  },
  DELETED: {
    ABSENT: act('FORGET'),
    NEW: act('DELETE_OUTSIDE'),
    UNCHANGED: act('DELETE_OUTSIDE'),
    CHANGED: { kind: 'CONFLICT', conflict: 'HOST_DELETED_PROVIDER_EDITED', twoWayOff: 'DELETE_OUTSIDE' },
    DELETED: act('FORGET'),
  },
};

export interface DecisionInput {
  host: HostSide;
  provider: ProviderSide;
  twoWay: boolean;
  policy: ConflictPolicy;
  /** When one side deleted and the other edited, the deletion wins. */
  deletionWins: boolean;
  /** The pair waits for a manual resolution (an open MANUAL conflict). */
  held: boolean;
  /** Both sides' current content is equal (after normalisation): no write is needed. */
  sameContent: boolean;
  /**
   * Which side changed last, from the provider's own `lastModified` and the host's change time
   * (never the hub's clock at read time); `null` when a side cannot tell (a provider deletion
   * carries no time). Used by LATEST_WINS and by adoption.
   */
  latest: 'HOST' | 'PROVIDER' | null;
}

export interface Decision {
  action: SyncAction;
  /** Set when both sides moved: the conflict to record, and who won (null while HOLD). */
  conflict: { kind: ConflictKind; winner: 'HOST' | 'PROVIDER' | null; reason: string } | null;
}

const decided = (action: SyncAction): Decision => ({ action, conflict: null });

/** What a conflict's winner means as an action. */
export function conflictAction(kind: ConflictKind, winner: 'HOST' | 'PROVIDER'): SyncAction {
  switch (kind) {
    case 'EDIT_EDIT':
      return winner === 'HOST' ? 'UPDATE_OUTSIDE' : 'UPDATE_HOST';
    case 'HOST_DELETED_PROVIDER_EDITED':
      return winner === 'HOST' ? 'DELETE_OUTSIDE' : 'RESTORE_HOST';
    case 'HOST_EDITED_PROVIDER_DELETED':
      return winner === 'HOST' ? 'RECREATE_OUTSIDE' : 'DELETE_HOST';
  }
}

/** The actions a manual resolution (`resolveConflict`) takes for a conflict of this kind. */
export function resolutionActions(kind: ConflictKind, choice: ConflictChoice): SyncAction[] {
  switch (choice) {
    case 'HOST':
      return [conflictAction(kind, 'HOST')];
    case 'PROVIDER':
      return [conflictAction(kind, 'PROVIDER')];
    case 'DELETE':
      switch (kind) {
        case 'EDIT_EDIT':
          return ['DELETE_OUTSIDE', 'DELETE_HOST'];
        case 'HOST_DELETED_PROVIDER_EDITED':
          return ['DELETE_OUTSIDE'];
        case 'HOST_EDITED_PROVIDER_DELETED':
          return ['DELETE_HOST'];
      }
  }
}

function resolveConflict(kind: ConflictKind, input: DecisionInput): Decision {
  const deletion = kind !== 'EDIT_EDIT';
  if (deletion && input.deletionWins) {
    const winner = kind === 'HOST_DELETED_PROVIDER_EDITED' ? 'HOST' : 'PROVIDER';
    return { action: conflictAction(kind, winner), conflict: { kind, winner, reason: 'the deletion wins over the edit (deletionWins)' } };
  }
  switch (input.policy) {
    case 'HOST_WINS':
      return { action: conflictAction(kind, 'HOST'), conflict: { kind, winner: 'HOST', reason: 'the host wins (HOST_WINS)' } };
    case 'PROVIDER_WINS':
      return { action: conflictAction(kind, 'PROVIDER'), conflict: { kind, winner: 'PROVIDER', reason: 'the calendar wins (PROVIDER_WINS)' } };
    case 'MANUAL':
      return { action: 'HOLD', conflict: { kind, winner: null, reason: 'waiting for a manual choice (MANUAL)' } };
    case 'LATEST_WINS': {
      // A provider deletion carries no time: then the edit wins, so no content is lost on a guess.
      const winner = input.latest ?? (kind === 'HOST_EDITED_PROVIDER_DELETED' ? 'HOST' : kind === 'HOST_DELETED_PROVIDER_EDITED' ? 'PROVIDER' : 'HOST');
      const why = input.latest === null ? 'the edit wins: the deletion time is unknown (LATEST_WINS)' : `the ${winner === 'HOST' ? 'host' : 'calendar'} changed last (LATEST_WINS)`;
      return { action: conflictAction(kind, winner), conflict: { kind, winner, reason: why } };
    }
  }
}

export function decide(input: DecisionInput): Decision {
  const cell = DECISION_TABLE[input.host][input.provider];
  if (input.held) {
    // Only a pair that vanished on both sides leaves the hold by itself.
    return decided(cell.kind === 'ACTION' && cell.action === 'FORGET' ? 'FORGET' : 'HOLD');
  }
  switch (cell.kind) {
    case 'IMPOSSIBLE':
      return decided(cell.action);
    case 'ACTION':
      return decided(input.twoWay ? cell.action : (cell.twoWayOff ?? cell.action));
    case 'ADOPT':
      // The hub's own event found again without a baseline: equal content links; otherwise the
      // side that changed last wins (host when two-way is off or nobody can tell). Not a conflict.
      if (input.sameContent) return decided('LINK');
      return decided(input.twoWay && input.latest === 'PROVIDER' ? 'UPDATE_HOST' : 'UPDATE_OUTSIDE');
    case 'CONFLICT':
      if (!input.twoWay) return decided(cell.twoWayOff);
      if (cell.conflict === 'EDIT_EDIT' && input.sameContent) return decided('LINK');
      return resolveConflict(cell.conflict, input);
  }
}
