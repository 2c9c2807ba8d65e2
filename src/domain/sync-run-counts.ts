/** What one direction of a sync run did, per action. */
export interface ActionCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  conflicts: number;
  skipped: number;
  errors: number;
}

/** `SyncRun.counts`: `outbound` are host → provider writes, `inbound` provider changes applied to the host. */
export interface SyncRunCounts {
  outbound: ActionCounts;
  inbound: ActionCounts;
}

export const emptyActionCounts = (): ActionCounts => ({ created: 0, updated: 0, deleted: 0, unchanged: 0, conflicts: 0, skipped: 0, errors: 0 });

export const emptyCounts = (): SyncRunCounts => ({ outbound: emptyActionCounts(), inbound: emptyActionCounts() });
