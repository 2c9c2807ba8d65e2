import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JournalEntry } from '@calendar-sync-hub/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startHubProcess, startProviderSide, type HubProcess, type ProviderSide } from '../../helpers/hub-process.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { linkedUser, processDriver, slot } from './sync-harness.js';

/**
 * Hubs in processes of their own on one SQLite file, the provider side (emulators) in the test's
 * process: a hub killed with SIGKILL at the worst moment, a hub restarted on the same database, two
 * hubs sharing the work.
 */

let providers: ProviderSide;
const dirs: string[] = [];
const hubs: HubProcess[] = [];

beforeAll(async () => {
  providers = await startProviderSide();
});
afterAll(async () => {
  if (process.env.DEBUG_HUB_LOGS) for (const [i, h] of hubs.entries()) (await import('node:fs')).writeFileSync(`/tmp/hub-${i}.log`, h.output());
  for (const h of hubs) await h.kill().catch(() => undefined);
  await providers?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Short lease and job-lock lifetimes, so a killed hub's hold on a link ends within seconds.
const ENV = { SYNC_POLL_INTERVAL_MS: '3600000', SYNC_LEASE_MS: '5000', JOBS_LOCK_LIFETIME_MS: '10000' };

async function freshHub(env: Record<string, string> = {}): Promise<{ dataDir: string; port: number; hub: HubProcess }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-proc-'));
  dirs.push(dataDir);
  const port = await freePort();
  providers.registerHub(`http://127.0.0.1:${port}`);
  const hub = await startHubProcess({ dataDir, port, providers, env: { ...ENV, ...env } });
  hubs.push(hub);
  return { dataDir, port, hub };
}

async function restart(dataDir: string, port: number, env: Record<string, string> = {}): Promise<HubProcess> {
  const hub = await startHubProcess({ dataDir, port, providers, env: { ...ENV, ...env } });
  hubs.push(hub);
  return hub;
}

for (const kind of ['MICROSOFT', 'GOOGLE'] as const) {
  const emulatorProvider = kind === 'MICROSOFT' ? 'microsoft' : 'google';
  const createRoute = kind === 'MICROSOFT' ? 'graph.events.create' : 'google.events.insert';

  describe(`hub processes with ${kind}`, () => {
    it('never duplicates an event when the hub is killed between the provider write and saving the pair', { timeout: 120_000 }, async () => {
      const first = await freshHub();
      let hub = first.hub;
      const u = await linkedUser(processDriver(() => hub, providers, first.hub.adminKey!), providers.emulators, kind, { name: 'crash' });
      providers.emulators.core.faults.add({ provider: emulatorProvider, route: createRoute, action: { kind: 'hangAfterCommit' }, trigger: { mode: 'once' } });
      const a = await u.upsert('crash-1', { subject: 'Written, then killed' });
      await waitFor('the create to reach the provider', () => u.provider.events().some((e) => e.subject === 'Written, then killed'), 15_000);
      await hub.kill();
      expect((await (async () => u.provider.events().filter((e) => e.subject === 'Written, then killed'))()).length).toBe(1);

      hub = await restart(first.dataDir, first.port);
      await u.syncNow();
      const synced = await u.synced(a.id, 20_000);
      const events = u.provider.events().filter((e) => e.subject === 'Written, then killed');
      expect(events).toHaveLength(1);
      expect(u.eventOf(synced)!.id).toBe(events[0]!.id);
      await hub.stop();
    });

    it('keeps the change feed going across a restart without skipping or repeating a change', { timeout: 120_000 }, async () => {
      const first = await freshHub();
      let hub = first.hub;
      const u = await linkedUser(processDriver(() => hub, providers, first.hub.adminKey!), providers.emulators, kind, { name: 'feed' });
      const at = (d: number) => new Date(Date.now() + d * 86_400_000);
      const ids = [u.provider.create('R1', at(3)), u.provider.create('R2', at(4)), u.provider.create('R3', at(5))];
      await u.syncNow();
      type Page = { appointmentChanges: { edges: { node: { kind: string; appointmentId: string } }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
      const readAll = async (after: string | null) => {
        const seen: string[] = [];
        let cursor = after;
        for (;;) {
          const page: Page = await u.gql(`query($a: String) { appointmentChanges(first: 2, after: $a) { edges { node { kind appointmentId } } pageInfo { endCursor hasNextPage } } }`, { a: cursor });
          seen.push(...page.appointmentChanges.edges.map((e) => e.node.kind));
          cursor = page.appointmentChanges.pageInfo.endCursor;
          if (!page.appointmentChanges.pageInfo.hasNextPage) return { seen, cursor };
        }
      };
      const before = await readAll(null);
      expect(before.seen).toEqual(['CREATED', 'CREATED', 'CREATED']);

      await hub.stop();
      u.provider.rename(ids[0]!, 'R1 renamed');
      u.provider.remove(ids[2]!);
      hub = await restart(first.dataDir, first.port);
      await u.syncNow();
      const after = await readAll(before.cursor);
      expect(after.seen).toEqual(['UPDATED', 'DELETED']);
      expect((await readAll(after.cursor)).seen).toEqual([]);
      await hub.stop();
    });

    it('with two hub processes on one database, never lets two workers write one mailbox at a time', { timeout: 180_000 }, async () => {
      const fast = { SYNC_POLL_INTERVAL_MS: '700', JOBS_POLL_INTERVAL_MS: '100' };
      const first = await freshHub(fast);
      const second = await restart(first.dataDir, await freePort(), fast);
      const u = await linkedUser(processDriver(() => first.hub, providers, first.hub.adminKey!), providers.emulators, kind, { name: 'twin' });
      providers.emulators.core.journal.clear();
      providers.emulators.core.journal.enabled = true;
      // Host writes through both processes while both poll the same link.
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const via = i % 2 === 0 ? first.hub : second;
        const result = await via.rawGql(
          `mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { appointment { id } } }`,
          { i: { hostAppointmentId: `twin-${i}`, userId: u.tenant.userId, subject: `Twin ${i}`, ...slot(3 + (i % 5), 8 + (i % 6)) } },
          u.tenant.key,
        );
        if (!result.data) throw new Error(`upsertAppointment through hub ${i % 2} failed: ${JSON.stringify(result.errors)}`);
        ids.push((result.data as { upsertAppointment: { appointment: { id: string } } }).upsertAppointment.appointment.id);
        if (i % 3 === 0) u.provider.create(`Outside ${i}`, new Date(Date.now() + (4 + i) * 86_400_000));
      }
      for (const id of ids) await u.synced(id, 30_000);
      await waitFor('the outside events to come in', async () => (await u.appointments()).length === 16, 30_000);
      providers.emulators.core.journal.enabled = false;

      // Every host appointment has exactly one event, and nothing is duplicated either way.
      const events = u.provider.events();
      expect(events.filter((e) => e.subject?.startsWith('Twin '))).toHaveLength(12);
      expect(new Set(events.map((e) => e.subject)).size).toBe(events.length);
      expect(await u.appointments()).toHaveLength(16);

      // From the emulator's request log: the mailbox's event writes never overlapped in time.
      const isWrite = (e: JournalEntry) => e.method !== 'GET' && !e.batched && (e.route.startsWith('graph.events') || e.route.startsWith('google.events') || e.route.endsWith('.batch'));
      const byAccount = new Map<string, JournalEntry[]>();
      for (const e of providers.emulators.core.journal.list({ provider: emulatorProvider }).filter(isWrite)) {
        byAccount.set(e.account ?? '', [...(byAccount.get(e.account ?? '') ?? []), e]);
      }
      const writes = [...byAccount.values()].flat();
      expect(writes.length).toBeGreaterThanOrEqual(12);
      for (const list of byAccount.values()) {
        list.sort((a, b) => a.startedAt - b.startedAt);
        for (let i = 1; i < list.length; i++) expect(list[i]!.startedAt).toBeGreaterThanOrEqual(list[i - 1]!.endedAt);
      }
      await second.stop();
      await first.hub.stop();
    });
  });
}
