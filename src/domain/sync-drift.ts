/**
 * What a verify run (`verifySync`) found between the host and a link's primary calendar
 * (docs/sync.md, "Verify and repair"): counts per kind, and the first items. Stored as JSON on the
 * run (`SyncRun.drift`).
 */

/**
 * - `MISSING_AT_PROVIDER`: a live appointment that should be in the calendar has no event there
 *   (its pair's event is gone, or it never got one).
 * - `MISSING_IN_HOST`: an event the host should hold has no live appointment (an event the user
 *   made that was never imported, or one of the hub's events whose appointment is deleted).
 * - `DUPLICATE`: more than one event carries the hub's tag for one appointment.
 * - `CONTENT_DIFFERS`: a synced pair whose two sides hold different content.
 * - `ORPHANED_MAPPING`: a pair record out of step with the two sides: its appointment is gone or
 *   deleted, or an appointment and the hub's event for it exist without a pair joining them.
 */
export const DRIFT_KINDS = ['MISSING_AT_PROVIDER', 'MISSING_IN_HOST', 'DUPLICATE', 'CONTENT_DIFFERS', 'ORPHANED_MAPPING'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface DriftItem {
  kind: DriftKind;
  appointmentId: string | null;
  externalEventId: string | null;
  /** What was found, and — in a repair run — what was done about it. */
  detail: string;
  /** Whether a repair run put it right (false in a report-only run). */
  repaired: boolean;
}

export interface SyncDrift {
  missingAtProvider: number;
  missingInHost: number;
  duplicates: number;
  contentDiffers: number;
  orphanedMappings: number;
  /** The first `MAX_DRIFT_ITEMS` items. */
  items: DriftItem[];
}

export const MAX_DRIFT_ITEMS = 100;

export const emptyDrift = (): SyncDrift => ({ missingAtProvider: 0, missingInHost: 0, duplicates: 0, contentDiffers: 0, orphanedMappings: 0, items: [] });

const COUNTER: Record<DriftKind, Exclude<keyof SyncDrift, 'items'>> = {
  MISSING_AT_PROVIDER: 'missingAtProvider',
  MISSING_IN_HOST: 'missingInHost',
  DUPLICATE: 'duplicates',
  CONTENT_DIFFERS: 'contentDiffers',
  ORPHANED_MAPPING: 'orphanedMappings',
};

/** Counts the item and keeps it while fewer than `MAX_DRIFT_ITEMS` are kept; returns the kept item (null when over). */
export function addDrift(drift: SyncDrift, item: DriftItem): DriftItem | null {
  drift[COUNTER[item.kind]] += 1;
  if (drift.items.length >= MAX_DRIFT_ITEMS) return null;
  drift.items.push(item);
  return item;
}
