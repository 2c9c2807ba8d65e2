import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FormattedExecutionResult } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import type { ProviderKind } from '../../../src/domain/model.js';
import { asProviderCalendarId } from '../../../src/providers/calendar-provider.js';
import { syncWindow, loadTenantSettings } from '../../../src/sync/sync-engine.js';
import { Appointment, Calendar, SyncMapping } from '../../../src/store/entities/index.js';
import { idOf, waitFor } from '../../helpers/hub-harness.js';
import { subscribe } from '../../helpers/ws-subscriptions.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { linkedUser, RUN_FIELDS, type RunView, type SyncUser } from './sync-harness.js';

/**
 * verifySync end to end, both providers: drift planted behind the hub's back — an event deleted at
 * the provider while the hub's cursor moved past the deletion, a pair's row deleted from the
 * database, a duplicate of one of the hub's events made by hand — is invisible to polls, found by
 * a verify run, and repaired by a repair run through the engine's own rules.
 */

let t: LinkingHub;
let dataDir: string;
beforeAll(async () => {
  // A database file: the command-line test opens it from a second ORM, as an operator would next to a running hub.
  dataDir = mkdtempSync(path.join(tmpdir(), 'hub-verify-'));
  t = await startLinkingHub({ SYNC_POLL_INTERVAL_MS: '3600000', DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'hub.db')}` });
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const DRIFT_FIELDS = `repair drift { missingAtProvider missingInHost duplicates contentDiffers orphanedMappings items { kind appointmentId externalEventId detail repaired } }`;

interface DriftItem {
  kind: string;
  appointmentId: string | null;
  externalEventId: string | null;
  detail: string;
  repaired: boolean;
}
type VerifyRun = RunView & {
  repair: boolean;
  drift: { missingAtProvider: number; missingInHost: number; duplicates: number; contentDiffers: number; orphanedMappings: number; items: DriftItem[] } | null;
};

async function verify(u: SyncUser, repair?: boolean): Promise<VerifyRun> {
  const started = await u.gql<{ verifySync: { id: string; trigger: string; outcome: string } }>(
    `mutation($c: ID!, $r: Boolean) { verifySync(connectionId: $c, repair: $r) { id trigger outcome } }`,
    repair === undefined ? { c: u.connectionId } : { c: u.connectionId, r: repair },
  );
  expect(started.verifySync).toMatchObject({ trigger: 'VERIFY', outcome: 'RUNNING' });
  let run: VerifyRun | null = null;
  await waitFor(
    'the verify run to end',
    async () => {
      run = (await u.gql<{ syncRun: VerifyRun }>(`query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} ${DRIFT_FIELDS} } }`, { id: started.verifySync.id })).syncRun;
      return run.outcome !== 'RUNNING';
    },
    30_000,
  );
  return run!;
}

async function cursorOf(connectionId: string): Promise<string | null> {
  const calendar = await t.hub.orm.em.fork().findOneOrFail(Calendar, { connectionId: idOf('connection', connectionId), role: 'PRIMARY' });
  return calendar.cursor === null ? null : JSON.stringify(calendar.cursor);
}

/** Moves the link's stored cursor to "now" with a read of its own: whatever happened before is never seen by a poll. */
async function moveCursorPastNow(u: SyncUser): Promise<void> {
  const id = idOf('connection', u.connectionId);
  const em = t.hub.orm.em.fork();
  const calendar = await em.findOneOrFail(Calendar, { connectionId: id, role: 'PRIMARY' });
  const window = syncWindow(await loadTenantSettings(t.hub.orm, u.tenant.tenantId), new Date());
  await t.hub.connections.guard.run(id, 'test: a fresh cursor', async (provider) => {
    for await (const page of provider.readChanges({ calendarId: asProviderCalendarId(calendar.providerCalendarId), cursor: null, window, allEventTypes: true })) {
      if (page.nextCursor) calendar.cursor = page.nextCursor;
    }
  });
  await em.flush();
}

/** A second event carrying the hub's tag of `tag`, made at the provider by hand. */
function plantDuplicate(u: SyncUser, tag: string): string {
  const start = new Date(Date.now() + 5 * 86_400_000);
  const end = new Date(start.getTime() + 3_600_000);
  if (u.kind === 'MICROSOFT') {
    const control = t.sandbox.microsoft.control;
    const calendarId = control.getAccount(u.email).calendarIds[0]!;
    // Graph would hand back the original for a repeated transactionId; the duplicate is made as if that had failed.
    control.updateSettings({ transactionIdDedup: false });
    try {
      return String(control.createEvent(u.email, calendarId, { subject: 'Duplicate', start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' }, end: { dateTime: end.toISOString().slice(0, 19), timeZone: 'UTC' }, transactionId: `synchub:${tag}` }).id);
    } finally {
      control.updateSettings({ transactionIdDedup: true });
    }
  }
  const control = t.sandbox.google.control;
  const account = control.listAccounts().find((a) => a.email.toLowerCase() === u.email.toLowerCase())!;
  return String(
    control.createEvent(account.id, account.calendarIds[0]!, {
      summary: 'Duplicate',
      start: { dateTime: start.toISOString() },
      end: { dateTime: end.toISOString() },
      extendedProperties: { private: { syncHubMappingId: tag } },
    }).id,
  );
}

async function tagOf(u: SyncUser, appointmentId: string): Promise<string> {
  const m = await t.hub.orm.em.fork().findOneOrFail(SyncMapping, { appointmentId: idOf('appointment', appointmentId) });
  return `${appointmentId}.${m.calendarId}`;
}

for (const kind of ['MICROSOFT', 'GOOGLE'] as ProviderKind[]) {
  describe(`verifySync with ${kind}`, () => {
    it('finds drift a poll cannot see, reports it without touching anything, and repairs it', { timeout: 120_000 }, async () => {
      const u = await linkedUser(t, t.sandbox.emulators, kind, { name: 'verify' });
      const gone = await u.synced((await u.upsert('v-gone', { subject: 'Deleted behind the hub' })).id);
      const lost = await u.synced((await u.upsert('v-lost', { subject: 'Pair row lost' })).id);
      const doubled = await u.synced((await u.upsert('v-doubled', { subject: 'Duplicated by hand' })).id);
      const fine = await u.synced((await u.upsert('v-fine', { subject: 'In step' })).id);
      expect((await verify(u)).drift).toMatchObject({ missingAtProvider: 0, missingInHost: 0, duplicates: 0, contentDiffers: 0, orphanedMappings: 0, items: [] });

      // Behind the hub's back: the calendar loses an event while the hub's cursor moves past it…
      const goneEvent = u.eventOf(gone)!.id;
      u.provider.remove(goneEvent);
      await moveCursorPastNow(u);
      // …a pair's row disappears from the database…
      const lostEvent = u.eventOf(lost)!.id;
      await t.hub.orm.em.fork().nativeDelete(SyncMapping, { appointmentId: idOf('appointment', lost.id) });
      // …and someone copies one of the hub's events, tag and all.
      const duplicate = plantDuplicate(u, await tagOf(u, doubled.id));

      // A poll sees none of it.
      const poll = await u.syncNow();
      expect(poll.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect((await u.appointment(gone.id)).deleted).toBe(false);

      // A verify run finds each, and changes nothing (not even the stored cursor).
      const cursor = await cursorOf(u.connectionId);
      const writes = u.provider.writes();
      const report = await verify(u);
      expect(report).toMatchObject({ outcome: 'SUCCEEDED', repair: false });
      expect(report.drift).toMatchObject({ missingAtProvider: 1, missingInHost: 0, duplicates: 1, contentDiffers: 0, orphanedMappings: 1 });
      const byKind = Object.fromEntries(report.drift!.items.map((i) => [i.kind, i]));
      expect(byKind.MISSING_AT_PROVIDER).toMatchObject({ appointmentId: gone.id, externalEventId: goneEvent, repaired: false });
      expect(byKind.ORPHANED_MAPPING).toMatchObject({ appointmentId: lost.id, externalEventId: lostEvent, repaired: false });
      expect(byKind.DUPLICATE).toMatchObject({ appointmentId: doubled.id, externalEventId: duplicate, repaired: false });
      expect(u.provider.writes()).toBe(writes);
      expect(await cursorOf(u.connectionId)).toBe(cursor);
      expect((await u.appointment(gone.id)).deleted).toBe(false);
      expect(u.provider.events().some((e) => e.id === duplicate)).toBe(true);

      // The repair run applies what the engine would have done had it seen each change.
      const repaired = await verify(u, true);
      expect(repaired).toMatchObject({ outcome: 'SUCCEEDED', repair: true });
      expect(repaired.drift).toMatchObject({ missingAtProvider: 1, duplicates: 1, orphanedMappings: 1 });
      expect(repaired.drift!.items.every((i) => i.repaired)).toBe(true);
      // Two-way sync: the event gone at the provider counts as deleted there.
      expect((await u.appointment(gone.id)).deleted).toBe(true);
      // The lost pair is joined again to the same event, which is not written twice.
      const rejoined = await u.appointment(lost.id);
      expect(rejoined.mappings.filter((m) => m.closedAt === null)).toMatchObject([{ state: 'SYNCED', externalEventId: lostEvent }]);
      // Of the two tagged events, the one no pair holds is deleted.
      expect(u.provider.events().map((e) => e.id)).not.toContain(duplicate);
      expect(u.eventOf(await u.appointment(doubled.id))).toBeDefined();
      expect(u.eventOf(await u.appointment(fine.id))).toMatchObject({ subject: 'In step' });
      expect(await cursorOf(u.connectionId)).toBe(cursor);

      // In step again: nothing left to find, and the next poll has nothing to do.
      expect((await verify(u)).drift).toMatchObject({ missingAtProvider: 0, missingInHost: 0, duplicates: 0, contentDiffers: 0, orphanedMappings: 0 });
      const after = u.provider.writes();
      const idle = await u.syncNow();
      expect(idle.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect(idle.counts.outbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect(u.provider.writes()).toBe(after);
    });

    it('a series whose every occurrence is cancelled in the calendar is no drift: the master lives, with every EXDATE, though no listing holds it', { timeout: 120_000 }, async () => {
      const u = await linkedUser(t, t.sandbox.emulators, kind, { name: 'verify-empty-series' });
      const start = new Date(Date.now() + 4 * 86_400_000);
      start.setUTCHours(10, 0, 0, 0);
      const at = (n: number) => new Date(start.getTime() + n * 7 * 86_400_000);
      const master = await u.synced(
        (await u.upsert('v-empty-series', { subject: 'Emptied', start: at(0).toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), timeZone: 'UTC', recurrence: { rrule: 'FREQ=WEEKLY;COUNT=3' } })).id,
      );
      const seriesId = u.eventOf(master)!.id;
      for (const n of [0, 1, 2]) u.provider.cancelOccurrence(seriesId, at(n));
      await u.syncNow();
      expect((await u.appointment(master.id)).recurrence!.exdates).toEqual([0, 1, 2].map((n) => at(n).toISOString()));

      const report = await verify(u, true);
      expect(report.drift).toMatchObject({ missingAtProvider: 0, missingInHost: 0, duplicates: 0, contentDiffers: 0, orphanedMappings: 0, items: [] });
      const after = await u.appointment(master.id);
      expect(after.deleted).toBe(false);
      expect(after.recurrence!.exdates).toHaveLength(3);
      expect(u.provider.events().some((e) => e.id === seriesId)).toBe(true);
    });

    it('finds a calendar edit and a new calendar event the cursor skipped (CONTENT_DIFFERS, MISSING_IN_HOST) and applies them as a poll would have', { timeout: 120_000 }, async () => {
      const u = await linkedUser(t, t.sandbox.emulators, kind, { name: 'verify-content' });
      const edited = await u.synced((await u.upsert('v-edited', { subject: 'Before the edit' })).id);
      const stale = await u.synced((await u.upsert('v-stale', { subject: 'Deleted in the host only' })).id);
      const staleEvent = u.eventOf(stale)!.id;

      // Behind the hub's back: the user renames an event and makes a new one, and the cursor moves past both…
      const editedEvent = u.eventOf(edited)!.id;
      u.provider.rename(editedEvent, 'Renamed in the calendar');
      const made = u.provider.create('Made in the calendar', new Date(Date.now() + 3 * 86_400_000));
      await moveCursorPastNow(u);
      // …and an appointment's tombstone is written straight into the database, its pair closed, its event left behind.
      const em = t.hub.orm.em.fork();
      await em.nativeUpdate(Appointment, { id: idOf('appointment', stale.id) }, { deleted: true });
      await em.nativeUpdate(SyncMapping, { appointmentId: idOf('appointment', stale.id) }, { closedAt: new Date() });
      const poll = await u.syncNow();
      expect(poll.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect((await u.appointment(edited.id)).subject).toBe('Before the edit');

      const report = await verify(u);
      expect(report.drift).toMatchObject({ missingAtProvider: 0, missingInHost: 2, duplicates: 0, contentDiffers: 1, orphanedMappings: 0 });
      expect(report.drift!.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'CONTENT_DIFFERS', appointmentId: edited.id, externalEventId: editedEvent, repaired: false }),
          expect.objectContaining({ kind: 'MISSING_IN_HOST', appointmentId: null, externalEventId: made, repaired: false }),
          expect.objectContaining({ kind: 'MISSING_IN_HOST', appointmentId: stale.id, externalEventId: staleEvent, repaired: false }),
        ]),
      );

      const repaired = await verify(u, true);
      expect(repaired.drift).toMatchObject({ missingInHost: 2, contentDiffers: 1 });
      expect(repaired.drift!.items.every((i) => i.repaired)).toBe(true);
      // The calendar's edit reached the host (only the event changed: no conflict), the new event was imported, the stale one deleted.
      expect((await u.appointment(edited.id)).subject).toBe('Renamed in the calendar');
      const imported = (await u.appointments()).find((a) => a.mappings.some((m) => m.closedAt === null && m.externalEventId === made));
      expect(imported).toMatchObject({ subject: 'Made in the calendar', deleted: false });
      expect(u.provider.events().map((e) => e.id)).not.toContain(staleEvent);
      expect((await verify(u)).drift).toMatchObject({ missingAtProvider: 0, missingInHost: 0, duplicates: 0, contentDiffers: 0, orphanedMappings: 0 });
    });

    it('with two-way sync off, re-creates an event gone at the provider; imports nothing', { timeout: 120_000 }, async () => {
      const u = await linkedUser(t, t.sandbox.emulators, kind, { name: 'verify-oneway' });
      await u.gql(`mutation($c: ID!) { enableTwoWaySync(connectionId: $c, enabled: false) { id } }`, { c: u.connectionId });
      const a = await u.synced((await u.upsert('v-one', { subject: 'Host only truth' })).id);
      const old = u.eventOf(a)!.id;
      u.provider.remove(old);
      u.provider.create('Made in the calendar', new Date(Date.now() + 4 * 86_400_000));

      const run = await verify(u, true);
      expect(run.drift).toMatchObject({ missingAtProvider: 1, missingInHost: 0 });
      expect(run.drift!.items[0]).toMatchObject({ kind: 'MISSING_AT_PROVIDER', appointmentId: a.id, repaired: true });
      const now = await u.appointment(a.id);
      expect(now.deleted).toBe(false);
      const event = u.eventOf(now)!;
      expect(event).toMatchObject({ subject: 'Host only truth', tagged: true });
      expect(event.id).not.toBe(old);
      expect(await u.appointments()).toHaveLength(1);
    });

    it('streams its progress on syncStatus and refuses bad input', { timeout: 120_000 }, async () => {
      const u = await linkedUser(t, t.sandbox.emulators, kind, { name: 'verify-api' });
      await u.synced((await u.upsert('v-api')).id);
      type Status = { syncStatus: { phase: string; run: { id: string; trigger: string; outcome: string } } };
      const sub = await subscribe<Status>(t, t.wsClient(u.tenant.key), `subscription($c: ID) { syncStatus(connectionId: $c) { phase run { id trigger outcome } } }`, { c: u.connectionId });
      const run = await verify(u);
      const phases: string[] = [];
      for (;;) {
        const next = (await sub.events.next()) as IteratorResult<FormattedExecutionResult<Status, unknown>>;
        const e = next.value?.data?.syncStatus;
        if (!e || e.run.id !== run.id) continue;
        expect(e.run.trigger).toBe('VERIFY');
        phases.push(e.phase);
        if (e.phase === 'FINISHED' || e.phase === 'FAILED') break;
      }
      await sub.stop();
      expect(phases[0]).toBe('STARTED');
      expect(phases.at(-1)).toBe('FINISHED');

      const unknown = await u.rawGql(`mutation { verifySync(connectionId: "con_00000000000000000000000000") { id } }`);
      expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const other = await linkedUser(t, t.sandbox.emulators, kind, { name: 'verify-other' });
      const foreign = await u.rawGql(`mutation($c: ID!) { verifySync(connectionId: $c) { id } }`, { c: other.connectionId });
      expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('runs from the command line next to the running hub: npm run hub -- verify-sync <connectionId> [--repair]', { timeout: 120_000 }, async () => {
      const u = await linkedUser(t, t.sandbox.emulators, kind, { name: 'verify-cli' });
      const a = await u.synced((await u.upsert('v-cli', { subject: 'Seen from the shell' })).id);
      // (A calendar that lists nothing at all proves no deletion: it keeps one event.)
      await u.synced((await u.upsert('v-cli-2', { subject: 'Stays' })).id);
      u.provider.remove(u.eventOf(a)!.id);
      await moveCursorPastNow(u);
      const env = { DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'hub.db')}`, LOG_LEVEL: 'silent', SANDBOX_PROVIDERS: 'off' };
      const cli = async (...argv: string[]) => {
        let out = '';
        let err = '';
        const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, env, { providerSettings: t.sandbox.settings });
        return { code, out, err };
      };
      const report = await cli('verify-sync', u.connectionId);
      expect(report).toMatchObject({ code: 0, err: '' });
      expect(report.out).toContain('missing at the provider: 1');
      expect(report.out).toMatch(new RegExp(`MISSING_AT_PROVIDER\\s+${a.id}`));
      expect((await u.appointment(a.id)).deleted).toBe(false);

      const repaired = await cli('verify-sync', u.connectionId, '--repair', '--json');
      expect(repaired.code).toBe(0);
      const json = JSON.parse(repaired.out) as { repair: boolean; outcome: string; drift: { missingAtProvider: number; items: DriftItem[] } };
      expect(json).toMatchObject({ repair: true, outcome: 'SUCCEEDED', drift: { missingAtProvider: 1 } });
      expect(json.drift.items[0]).toMatchObject({ appointmentId: a.id, repaired: true });
      expect((await u.appointment(a.id)).deleted).toBe(true);

      expect((await cli('verify-sync')).code).toBe(2);
      expect(await cli('verify-sync', 'con_00000000000000000000000000')).toMatchObject({ code: 1 });
    });
  });
}
