import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import { startTestHub, waitFor, type TestHub } from '../../helpers/hub-harness.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { linkedUser, slot } from './sync-harness.js';

/**
 * The sync engine on MongoDB (the production store): the same paths as on SQLite — pairs, leases,
 * the change feed's sequence, runs — with two hub instances on one database. Runs when
 * MONGODB_TEST_URL points at a server; reported as skipped otherwise.
 */
const MONGODB_TEST_URL = process.env.MONGODB_TEST_URL;

describe.skipIf(!MONGODB_TEST_URL)('two-way sync on MongoDB (MONGODB_TEST_URL)', () => {
  let t: LinkingHub;
  let other: TestHub;
  let dataDir: string;

  beforeAll(async () => {
    const url = new URL(MONGODB_TEST_URL!);
    url.pathname = `/hub_sync_${randomBytes(6).toString('hex')}`;
    dataDir = mkdtempSync(path.join(tmpdir(), 'hub-mongo-sync-'));
    let out = '';
    await runCli(['create-api-key', '--name', 'ops', '--role', 'ADMIN', '--json'], { stdout: (s) => (out += s), stderr: () => undefined }, { DATABASE_URL: url.toString(), DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const admin = (JSON.parse(out) as { key: string }).key;
    const env = { DATABASE_URL: url.toString(), SYNC_POLL_INTERVAL_MS: '3600000' };
    t = { ...(await startLinkingHub(env)), admin };
    // A second instance on the same database, talking to the same emulators.
    other = await startTestHub(env, { providerSettings: t.sandbox.settings });
  });

  afterAll(async () => {
    await other?.close();
    if (t) {
      await t.hub.mongoDb?.dropDatabase();
      await t.close();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  for (const kind of ['MICROSOFT', 'GOOGLE'] as const) {
    it(`syncs both ways with ${kind} and keeps the change feed`, async () => {
      const u = await linkedUser(t, t.sandbox.emulators, kind, { name: `mongo-${kind.toLowerCase()}` });
      const a = await u.synced((await u.upsert('m-1', { subject: 'On MongoDB', ...slot(4) })).id);
      expect(u.eventOf(a)).toMatchObject({ subject: 'On MongoDB', tagged: true });

      const outside = u.provider.create('Made outside', new Date(Date.now() + 5 * 86_400_000));
      await u.syncNow();
      u.provider.rename(outside, 'Made outside (renamed)');
      await u.syncNow();
      u.provider.remove(u.eventOf(a)!.id);
      await u.syncNow();
      expect((await u.appointment(a.id)).deleted).toBe(true);
      expect((await u.appointments()).map((x) => x.subject)).toEqual(['Made outside (renamed)']);

      const feed = await u.gql<{ appointmentChanges: { edges: { node: { kind: string } }[] } }>(`{ appointmentChanges(first: 10) { edges { node { kind } } } }`);
      expect(feed.appointmentChanges.edges.map((e) => e.node.kind)).toEqual(['CREATED', 'UPDATED', 'DELETED']);

      // The other instance serves the same state and can run the link's syncs (leases on one database).
      const viaOther = await other.rawGql(`mutation($c: ID!) { syncNow(connectionId: $c) { id } }`, { c: u.connectionId }, u.tenant.key);
      const runId = (viaOther.data as { syncNow: { id: string } }).syncNow.id;
      let outcome = 'RUNNING';
      await waitFor(
        'the run on the other instance',
        async () => {
          const r = await other.rawGql(`query($id: ID!) { syncRun(id: $id) { outcome } }`, { id: runId }, u.tenant.key);
          outcome = (r.data as { syncRun: { outcome: string } }).syncRun.outcome;
          return outcome !== 'RUNNING';
        },
        20_000,
      );
      expect(outcome).toBe('SUCCEEDED');
    });
  }
});
