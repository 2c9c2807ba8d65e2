import { loadConfig, type HubConfig } from '../../src/config.js';

/** A hub configuration for job tests: SQLite `file`, 50 ms polling, short lock lifetime. */
export function jobsTestConfig(file: string, env: Record<string, string> = {}): HubConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: file === ':memory:' ? 'sqlite::memory:' : `sqlite:${file}`,
    JOBS_POLL_INTERVAL_MS: '50',
    JOBS_LOCK_LIFETIME_MS: '1000',
    JOBS_CONCURRENCY: '4',
    ...env,
  });
}
