import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionsDocument, RefreshCalendarsDocument } from '../../graphql/generated.js';
import { createTenantWithUser, linkOk, startLinkingHub } from './linking-harness.js';

/** The embedded default: SQLite file, generated token key, persisted sandbox — links survive a restart. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a hub restarted on the same data folder', () => {
  it('keeps its sandbox links working: same token key, same sandbox ports, same sandbox accounts', async () => {
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', SANDBOX_PROVIDERS: 'auto' };
    const first = await startLinkingHub(env);
    let key: string;
    try {
      const tenant = await createTenantWithUser(first, 'Restart', { hostUserId: 'r', email: 'adele.vance@contoso.onmicrosoft.com' });
      key = tenant.key;
      await linkOk(first, key, { userId: tenant.userId, provider: 'MICROSOFT', account: 'adele.vance@contoso.onmicrosoft.com' });
      await linkOk(first, key, { userId: tenant.userId, provider: 'GOOGLE', account: 'alice@example.com' });
    } finally {
      await first.close();
    }

    const second = await startLinkingHub(env);
    try {
      const links = (await second.gql(ConnectionsDocument, {}, key)).data!.connections.edges.map((e) => e.node);
      expect(links.map((l) => l.provider).sort()).toEqual(['GOOGLE', 'MICROSOFT']);
      for (const link of links) {
        const refreshed = await second.gql(RefreshCalendarsDocument, { connectionId: link.id }, key);
        expect(refreshed.errors).toBeUndefined();
        expect(refreshed.data!.refreshCalendars.status).toBe('ACTIVE');
      }
    } finally {
      await second.close();
    }
  });
});
