/** What one sync run did, per kind of outcome (`SyncRun.counts`). */
export interface SyncRunCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  conflicts: number;
  skipped: number;
  errors: number;
}

export const emptyCounts = (): SyncRunCounts => ({
  created: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  conflicts: 0,
  skipped: 0,
  errors: 0,
});
