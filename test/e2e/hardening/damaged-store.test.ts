import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ViewerDocument } from '../../graphql/generated.js';
import { startTestHub } from '../../helpers/hub-harness.js';
import { refusedStart, startMain } from '../../helpers/main-process.js';

/** Issue 15, finding 5: a damaged or emptied database must not look ready, nor be bootstrapped over. */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const fileStore = () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-damaged-'));
  dirs.push(dataDir);
  return { dataDir, env: { DATA_DIR: dataDir, DATABASE_URL: '' } };
};

/** The hub stopped; its SQLite file is emptied (a failed copy, a full disk, a bad restore). The next start is a new process. */
function emptyDatabase(dataDir: string): void {
  truncateSync(path.join(dataDir, 'hub.db'), 0);
  for (const extra of ['hub.db-wal', 'hub.db-shm']) if (existsSync(path.join(dataDir, extra))) unlinkSync(path.join(dataDir, extra));
}

describe('readiness', () => {
  it('turns /readyz 503 when a table the API reads is damaged, not only when the database is gone', async () => {
    const { env } = fileStore();
    const t = await startTestHub(env);
    try {
      expect((await fetch(`${t.origin}/readyz`)).status).toBe(200);
      await t.hub.orm.em.getConnection().execute('drop table api_keys');
      expect((await t.gql(ViewerDocument, {}, t.adminKey)).status).toBe(500);
      const ready = await fetch(`${t.origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks.database).toEqual({ ok: false });
    } finally {
      await t.close();
    }
  });
});

describe('an emptied database in a data folder that held data', () => {
  it('is refused at start instead of bootstrapped over, and the admin key file is left as it was', async () => {
    const { dataDir, env } = fileStore();
    const first = await startTestHub(env);
    const keyFile = path.join(dataDir, 'admin-api-key.txt');
    await first.hub.close();
    const keyBefore = readFileSync(keyFile, 'utf8');
    emptyDatabase(dataDir);

    const second = startMain({ ...env, HOST: '127.0.0.1', PORT: '0' });
    expect(await refusedStart(second)).toBe(1);
    expect(second.stderr()).toMatch(/holds no tenant and no API key.*admin-api-key\.txt.*[Rr]estore/s);
    expect(readFileSync(keyFile, 'utf8')).toBe(keyBefore);
  });

  it('is refused too when the admin key file was moved away but the generated token key is still there', async () => {
    const { dataDir, env } = fileStore();
    const first = await startTestHub(env);
    await first.hub.close();
    unlinkSync(path.join(dataDir, 'admin-api-key.txt'));
    emptyDatabase(dataDir);

    const second = startMain({ ...env, HOST: '127.0.0.1', PORT: '0' });
    expect(await refusedStart(second)).toBe(1);
    expect(second.stderr()).toMatch(/holds no tenant and no API key.*encryption-keys/s);
    expect(existsSync(path.join(dataDir, 'admin-api-key.txt'))).toBe(false);
  });

  it('still bootstraps a fresh data folder', async () => {
    const { dataDir, env } = fileStore();
    const t = await startTestHub(env);
    try {
      expect(readFileSync(path.join(dataDir, 'admin-api-key.txt'), 'utf8').trim()).toBe(t.adminKey);
    } finally {
      await t.close();
    }
  });
});
