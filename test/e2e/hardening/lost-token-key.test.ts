import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createHub } from '../../../src/hub.js';
import { testEnv } from '../../helpers/hub-harness.js';
import { silentLogger } from '../../helpers/pubsub-helpers.js';
import { createTenantWithUser, linkOk, startLinkingHub } from '../linking/linking-harness.js';

/** Issue 15, finding 4: a lost token key must stop the start, not be silently replaced. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-lost-key-'));
const env = { DATA_DIR: dataDir, DATABASE_URL: '', SANDBOX_PROVIDERS: 'on' };
const keyFile = path.join(dataDir, 'encryption-keys');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

beforeAll(async () => {
  const first = await startLinkingHub(env);
  try {
    const tenant = await createTenantWithUser(first, 'Lost key', { hostUserId: 'k', email: 'alice@example.com' });
    await linkOk(first, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: 'alice@example.com' });
  } finally {
    await first.hub.close();
  }
});

/** Starts a hub on the data folder; a hub that starts anyway is closed and reported as such. */
async function startOutcome(extra: Record<string, string> = {}): Promise<Error | 'started'> {
  try {
    const hub = await createHub(loadConfig(testEnv({ ...env, ...extra })), { logger: silentLogger() });
    await hub.close();
    return 'started';
  } catch (err) {
    return err as Error;
  }
}

describe('sealed tokens that no configured key opens', () => {
  it('refuse the start with HUB_ENCRYPTION_KEYS set to another key, naming the variable and the key id', async () => {
    const outcome = await startOutcome({ HUB_ENCRYPTION_KEYS: `other:${Buffer.alloc(32, 9).toString('base64')}` });
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/sealed with key "k\d{8}".*HUB_ENCRYPTION_KEYS/s);
  });

  it('refuse the start when the generated key file was lost, say to restore it, and do not leave a new key file behind', async () => {
    unlinkSync(keyFile);
    const outcome = await startOutcome();
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/Restore .*encryption-keys/);
    expect(existsSync(keyFile)).toBe(false);
  });
});
