/** The notices service lives with link health (src/connections/), which links and the engine both use. */
export { SyncIssues, type IssueScope } from '../connections/sync-issues.js';
