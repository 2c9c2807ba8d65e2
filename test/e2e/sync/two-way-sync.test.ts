import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import { SyncMapping } from '../../../src/store/entities/index.js';
import { idOf, waitFor } from '../../helpers/hub-harness.js';
import { linkOk, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { linkedUser, providerHand, slot, type SyncUser } from './sync-harness.js';

/**
 * The two-way sync engine end to end, for both providers: the host through GraphQL, the user's
 * calendar through the emulators (the real SDKs in between), a real hub with its jobs. Polls are
 * set far apart so that every inbound read here is a `syncNow` the test asks for.
 */

let t: LinkingHub;
beforeAll(async () => {
  t = await startLinkingHub({ SYNC_POLL_INTERVAL_MS: '3600000' });
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const inDays = (days: number, hour = 9) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000);

async function user(kind: ProviderKind, name: string, beforeLink?: Parameters<typeof linkedUser>[3]['beforeLink']): Promise<SyncUser> {
  return linkedUser(t, t.sandbox.emulators, kind, { name, ...(beforeLink ? { beforeLink } : {}) });
}

async function setPolicy(u: SyncUser, settings: Record<string, unknown>): Promise<void> {
  await u.gql(`mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { conflictPolicy } }`, { i: settings });
}

describe('the primary calendar', () => {
  it('moves the appointments when the user makes another linked calendar primary: one calendar per appointment', async () => {
    const u = await user('MICROSOFT', 'move');
    const a = await u.synced((await u.upsert('mv-1', { subject: 'Moves with the primary', ...slot(6) })).id);
    const outlookEvent = u.eventOf(a)!.id;
    // The same user links Google too; the Outlook calendar stays primary until they choose.
    const googleEmail = t.sandbox.google.control.createAccount({ email: `move.${Date.now()}@example.com` }).email;
    const googleLink = await linkOk(t, u.tenant.key, { userId: u.tenant.userId, provider: 'GOOGLE', account: googleEmail });
    const cals = await u.gql<{ calendars: { id: string; role: string; isDefault: boolean }[] }>(`query($c: ID!) { calendars(connectionId: $c) { id role isDefault } }`, { c: googleLink });
    const googleDefault = cals.calendars.find((c) => c.isDefault)!;
    expect(googleDefault.role).toBe('NONE');
    await u.gql(`mutation($id: ID!) { setPrimaryCalendar(calendarId: $id) { calendar { id role } } }`, { id: googleDefault.id });

    const google = providerHand(t.sandbox.emulators, 'GOOGLE', googleEmail, t.sandbox.google.control.listAccounts().find((x) => x.email === googleEmail)!.calendarIds[0]!);
    await waitFor('the appointment in the new primary calendar', () => google.events().some((e) => e.subject === 'Moves with the primary' && e.tagged), 20_000);
    await waitFor('the event withdrawn from the former primary', () => !u.provider.events().some((e) => e.id === outlookEvent), 20_000);
    const moved = await u.appointment(a.id);
    expect(moved.mappings.filter((m) => m.closedAt === null)).toHaveLength(1);
    expect(moved.deleted).toBe(false);
  });
});

for (const kind of ['MICROSOFT', 'GOOGLE'] as const) {
  describe(`two-way sync with ${kind}`, () => {
    it('writes a host appointment to the primary calendar, then its edits and its deletion', async () => {
      const u = await user(kind, 'outbound');
      const created = await u.upsert('a-1', { subject: 'Quarterly review', location: 'Room 4', ...slot(4) });
      const synced = await u.synced(created.id);
      expect(synced.syncState).toBe('SYNCED');
      const event = u.eventOf(synced);
      expect(event).toMatchObject({ subject: 'Quarterly review', tagged: true });

      await u.upsert('a-1', { subject: 'Quarterly review (moved)', location: 'Room 4', ...slot(5) });
      await waitFor('the update at the provider', () => u.provider.events().find((e) => e.id === event!.id)?.subject === 'Quarterly review (moved)', 10_000);

      const deleted = await u.remove('a-1');
      expect(deleted.deleted).toBe(true);
      await waitFor('the deletion at the provider', () => !u.provider.events().some((e) => e.id === event!.id), 10_000);
      // The tombstone stays readable by id; lists leave it out.
      expect((await u.appointment(created.id)).deleted).toBe(true);
      expect((await u.appointments()).map((a) => a.id)).not.toContain(created.id);
      expect((await u.appointments(true)).map((a) => a.id)).toContain(created.id);
    });

    it('brings a calendar event into the host, then its edit and its deletion', async () => {
      const u = await user(kind, 'inbound');
      const eventId = u.provider.create('Dentist', inDays(6));
      let run = await u.syncNow();
      expect(run.counts.inbound.created).toBe(1);
      const [imported] = await u.appointments();
      expect(imported).toMatchObject({ subject: 'Dentist', origin: kind, deleted: false, syncState: 'SYNCED' });
      expect(imported!.mappings[0]!.externalEventId).toBe(eventId);

      u.provider.rename(eventId, 'Dentist (moved)');
      u.provider.move(eventId, inDays(7, 14));
      run = await u.syncNow();
      expect(run.counts.inbound.updated).toBe(1);
      const updated = await u.appointment(imported!.id);
      expect(updated.subject).toBe('Dentist (moved)');
      expect(Date.parse(updated.start!)).toBe(inDays(7, 14).getTime());

      u.provider.remove(eventId);
      run = await u.syncNow();
      expect(run.counts.inbound.deleted).toBe(1);
      expect((await u.appointment(imported!.id)).deleted).toBe(true);
    });

    it('lets the host take over an appointment made in the calendar, under its own id, without a second event', async () => {
      const u = await user(kind, 'takeover');
      const eventId = u.provider.create('Made in the calendar', inDays(5));
      await u.syncNow();
      const [imported] = await u.appointments();
      expect(imported!.hostAppointmentId).toBeNull();
      const taken = await u.gql<{ upsertAppointment: { created: boolean; appointment: { id: string; hostAppointmentId: string } } }>(
        `mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { created appointment { id hostAppointmentId } } }`,
        { i: { id: imported!.id, hostAppointmentId: 'crm-42', userId: u.tenant.userId, subject: 'Now in the CRM', start: inDays(5).toISOString(), end: new Date(inDays(5).getTime() + 3_600_000).toISOString(), timeZone: 'UTC' } },
      );
      expect(taken.upsertAppointment).toEqual({ created: false, appointment: { id: imported!.id, hostAppointmentId: 'crm-42' } });
      await waitFor('the host edit outside', () => u.provider.events().find((e) => e.id === eventId)?.subject === 'Now in the CRM', 10_000);
      expect(u.provider.events()).toHaveLength(1);
      // From now on the host's id keys it.
      await u.upsert('crm-42', { subject: 'Now in the CRM (v2)', start: inDays(5).toISOString(), end: new Date(inDays(5).getTime() + 3_600_000).toISOString(), timeZone: 'UTC' });
      await waitFor('the second edit outside', () => u.provider.events().find((e) => e.id === eventId)?.subject === 'Now in the CRM (v2)', 10_000);
      expect(await u.appointments()).toHaveLength(1);
    });

    it('recognises the echo of its own writes: one event, one appointment, and no further writes', async () => {
      const u = await user(kind, 'echo');
      const a = await u.synced((await u.upsert('echo-1', { subject: 'Echo me' })).id);
      const eventId = u.eventOf(a)!.id;
      const writes = u.provider.writes();
      const run = await u.syncNow();
      expect(run.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect(run.counts.outbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      const again = await u.syncNow();
      expect(again.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect(u.provider.writes()).toBe(writes);
      expect(u.provider.events().filter((e) => e.id === eventId)).toHaveLength(1);
      expect(await u.appointments()).toHaveLength(1);

      // An edit made at the provider comes back once, and is not written back out.
      u.provider.rename(eventId, 'Echo me (renamed outside)');
      expect((await u.syncNow()).counts.inbound.updated).toBe(1);
      const idle = await u.syncNow();
      expect(idle.counts.inbound.updated + idle.counts.outbound.updated).toBe(0);
      expect(u.provider.writes()).toBe(writes);
    });

    it('costs one provider request per idle poll', async () => {
      const u = await user(kind, 'idle');
      for (let i = 0; i < 5; i++) u.provider.create(`Busy ${i}`, inDays(3 + i));
      await u.syncNow();
      const before = u.provider.requests();
      const run = await u.syncNow();
      expect(u.provider.requests() - before).toBe(1);
      expect(run.providerRequests).toBe(1);
    });

    it('does not back-fill what predates the link, but syncs it once either side edits it', async () => {
      const u = await user(kind, 'preact', async (tenant, gql) => {
        await gql(`mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { created } }`, {
          i: { hostAppointmentId: 'old-host', userId: tenant.userId, subject: 'Began before the link', ...slot(-2) },
        });
        await gql(`mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { created } }`, {
          i: { hostAppointmentId: 'future-host', userId: tenant.userId, subject: 'Planned before the link', ...slot(8) },
        });
      });
      // An event in the calendar that began before the link.
      const oldEvent = u.provider.create('Old calendar event', inDays(-3));
      await waitFor('the first run', async () => (await u.appointments()).some((a) => a.subject === 'Planned before the link' && a.syncState === 'SYNCED'), 15_000);
      let all = await u.appointments();
      expect(all.find((a) => a.subject === 'Began before the link')!.syncState).toBe('NONE');
      expect(all.some((a) => a.subject === 'Old calendar event')).toBe(false);
      expect(u.provider.events().map((e) => e.subject)).not.toContain('Began before the link');

      // Either side edits its item: now they sync.
      const old = all.find((a) => a.subject === 'Began before the link')!;
      await u.upsert('old-host', { subject: 'Began before the link', ...slot(-2) });
      await u.synced(old.id);
      u.provider.rename(oldEvent, 'Old calendar event (edited)');
      await u.syncNow();
      all = await u.appointments();
      expect(all.some((a) => a.subject === 'Old calendar event (edited)')).toBe(true);
      expect(u.provider.events().map((e) => e.subject)).toContain('Began before the link');
    });

    it('restarts from a full read when the provider forgets its cursor, and applies a deletion made meanwhile', async () => {
      const u = await user(kind, 'cursor');
      const keep = u.provider.create('Keep me', inDays(3));
      const gone = u.provider.create('Delete me meanwhile', inDays(4));
      await u.syncNow();
      expect(await u.appointments()).toHaveLength(2);
      u.provider.invalidateCursor();
      u.provider.remove(gone);
      const run = await u.syncNow();
      expect(run.outcome).toBe('SUCCEEDED');
      const live = await u.appointments();
      expect(live.map((a) => a.subject)).toEqual(['Keep me']);
      expect(live[0]!.mappings[0]!.externalEventId).toBe(keep);
      // No duplicates of the kept event after the full read.
      expect((await u.syncNow()).counts.inbound.created).toBe(0);
    });

    it('applies the deletion of the last events of the calendar made while the cursor was lost', async () => {
      const u = await user(kind, 'emptied');
      const first = u.provider.create('Emptied 1', inDays(3));
      const second = u.provider.create('Emptied 2', inDays(4));
      await u.syncNow();
      expect(await u.appointments()).toHaveLength(2);
      u.provider.invalidateCursor();
      u.provider.remove(first);
      u.provider.remove(second);
      // The full read lists nothing, which proves nothing by itself: each linked event is asked for.
      const run = await u.syncNow();
      expect(run.outcome).toBe('SUCCEEDED');
      expect(run.counts.inbound.deleted).toBe(2);
      expect(await u.appointments()).toEqual([]);
    });

    it('survives throttling: a 429 with Retry-After is waited out and the write lands once', async () => {
      const u = await user(kind, 'throttle');
      const route = kind === 'MICROSOFT' ? 'graph.events.create' : 'google.events.insert';
      t.sandbox.emulators.core.faults.add({
        provider: kind === 'MICROSOFT' ? 'microsoft' : 'google',
        route,
        action: { kind: 'status', status: 429, retryAfterSeconds: 1 },
        trigger: { mode: 'times', count: 2 },
      });
      const a = await u.synced((await u.upsert('throttled', { subject: 'Throttled write' })).id, 30_000);
      expect(u.provider.events().filter((e) => e.subject === 'Throttled write')).toHaveLength(1);
      expect(a.syncState).toBe('SYNCED');
    });

    /** The provider commits the next create of an event but its answer never reaches the hub. */
    const loseNextCreateAnswer = (kind: ProviderKind) =>
      t.sandbox.emulators.core.faults.add({
        provider: kind === 'MICROSOFT' ? 'microsoft' : 'google',
        route: kind === 'MICROSOFT' ? 'graph.events.create' : 'google.events.insert',
        action: { kind: 'dropResponse' },
        trigger: { mode: 'once' },
      });
    /** Waits for the outbound run that lost that answer (it ends FAILED). */
    const lostCreateAttempt = (u: Awaited<ReturnType<typeof user>>) =>
      waitFor(
        'the attempt whose answer was lost',
        async () => {
          const runs = await u.gql<{ syncRuns: { edges: { node: { outcome: string } }[] } }>(`query($c: ID) { syncRuns(filter: { connectionId: $c, trigger: OUTBOUND }) { edges { node { outcome } } } }`, {
            c: u.connectionId,
          });
          return runs.syncRuns.edges.some((e) => e.node.outcome === 'FAILED');
        },
        15_000,
      );

    it('does not duplicate when the answer to a create is lost', async () => {
      const u = await user(kind, 'dropped');
      loseNextCreateAnswer(kind);
      const a = await u.upsert('dropped-1', { subject: 'Lost answer' });
      await waitFor(
        'the attempt whose answer was lost',
        async () => {
          const runs = await u.gql<{ syncRuns: { edges: { node: { trigger: string; outcome: string } }[] } }>(`query($c: ID) { syncRuns(filter: { connectionId: $c, trigger: OUTBOUND }) { edges { node { trigger outcome } } } }`, {
            c: u.connectionId,
          });
          return runs.syncRuns.edges.some((e) => e.node.outcome === 'FAILED');
        },
        15_000,
      );
      // The write is still pending; the next run sends the create again with the same key, and the
      // provider gives back the event it made the first time.
      expect((await u.appointment(a.id)).syncState).toBe('PENDING');
      expect(u.provider.events().filter((e) => e.subject === 'Lost answer')).toHaveLength(1);
      await u.syncNow();
      const synced = await u.synced(a.id);
      expect(u.provider.events().filter((e) => e.subject === 'Lost answer')).toHaveLength(1);
      expect(u.eventOf(synced)).toBeDefined();
    });

    it('writes the latest content when a create whose answer was lost is sent again after a host edit', async () => {
      const u = await user(kind, 'dropped-edit');
      loseNextCreateAnswer(kind);
      const a = await u.upsert('dropped-edit-1', { subject: 'First title', ...slot(3) });
      await lostCreateAttempt(u);
      const first = u.provider.events().filter((e) => e.subject === 'First title');
      expect(first).toHaveLength(1);
      // The host moves on before the create goes out again: its key finds the first event, which
      // must get the content of now (the hub holds the pair as synced once the create answers).
      await u.upsert('dropped-edit-1', { subject: 'Second title', ...slot(5) });
      await u.syncNow();
      const synced = await u.synced(a.id);
      const events = u.provider.events().filter((e) => e.subject === 'First title' || e.subject === 'Second title');
      expect(events).toHaveLength(1);
      expect(events[0]!.subject).toBe('Second title');
      expect(events[0]!.start).not.toBe(first[0]!.start);
      expect(u.eventOf(synced)?.id).toBe(events[0]!.id);
    });

    it('deletes the event of a create whose answer was lost when the host deleted the appointment meanwhile', async () => {
      const u = await user(kind, 'dropped-delete');
      loseNextCreateAnswer(kind);
      await u.upsert('dropped-delete-1', { subject: 'Orphan to be', ...slot(3) });
      await lostCreateAttempt(u);
      expect(u.provider.events().filter((e) => e.subject === 'Orphan to be')).toHaveLength(1);
      // The host deletes it before the hub heard of its event: the pair closes with no event to
      // delete; the next read finds the event by its tag and deletes it.
      await u.remove('dropped-delete-1');
      await u.syncNow();
      await u.syncNow();
      expect(u.provider.events().filter((e) => e.subject === 'Orphan to be')).toEqual([]);
    });

    it('re-adopts its own event when the pair record is lost, instead of writing a second one', async () => {
      const u = await user(kind, 'adopt');
      const a = await u.synced((await u.upsert('adopt-1', { subject: 'Adopt me' })).id);
      await t.hub.orm.em.fork().nativeDelete(SyncMapping, { appointmentId: idOf('appointment', a.id) });
      u.provider.invalidateCursor();
      await u.syncNow();
      await u.upsert('adopt-1', { subject: 'Adopt me (edited)' });
      const again = await u.synced(a.id);
      expect(u.provider.events().filter((e) => e.subject?.startsWith('Adopt me'))).toHaveLength(1);
      expect(u.eventOf(again)!.subject).toBe('Adopt me (edited)');
    });

    describe('conflicts', () => {
      async function bothChanged(u: SyncUser, name: string) {
        const a = await u.synced((await u.upsert(name, { subject: 'Original' })).id);
        const eventId = u.eventOf(a)!.id;
        u.provider.rename(eventId, 'Changed in the calendar');
        // The host changes too while the outbound write is held back by a slow provider.
        return { a, eventId };
      }

      it('HOST_WINS writes the host version over the calendar edit and records the conflict', async () => {
        const u = await user(kind, 'hostwins');
        await setPolicy(u, { conflictPolicy: 'HOST_WINS', deletionWins: false });
        const { a, eventId } = await bothChanged(u, 'c1');
        await u.upsert('c1', { subject: 'Changed in the host' });
        await u.synced(a.id);
        expect(u.provider.events().find((e) => e.id === eventId)!.subject).toBe('Changed in the host');
        expect((await u.appointment(a.id)).subject).toBe('Changed in the host');
        const conflicts = await u.gql<{ conflicts: { edges: { node: { kind: string; status: string; decision: string } }[] } }>(
          `query($c: ID) { conflicts(filter: { connectionId: $c }) { edges { node { kind status decision } } } }`,
          { c: u.connectionId },
        );
        expect(conflicts.conflicts.edges.map((e) => e.node)).toEqual([{ kind: 'EDIT_EDIT', status: 'RESOLVED', decision: 'HOST' }]);
      });

      it('PROVIDER_WINS takes the calendar version into the host', async () => {
        const u = await user(kind, 'provwins');
        await setPolicy(u, { conflictPolicy: 'PROVIDER_WINS', deletionWins: false });
        const { a, eventId } = await bothChanged(u, 'c2');
        await u.upsert('c2', { subject: 'Changed in the host' });
        await waitFor('the conflict to be decided', async () => (await u.appointment(a.id)).subject === 'Changed in the calendar', 15_000);
        expect(u.provider.events().find((e) => e.id === eventId)!.subject).toBe('Changed in the calendar');
      });

      it('LATEST_WINS takes the side that changed last', async () => {
        const u = await user(kind, 'latest');
        await setPolicy(u, { conflictPolicy: 'LATEST_WINS', deletionWins: false });
        const { a, eventId } = await bothChanged(u, 'c3');
        // The host edit comes after the calendar edit: the host wins.
        await new Promise((r) => setTimeout(r, 20));
        await u.upsert('c3', { subject: 'Host, later' });
        await u.synced(a.id);
        expect(u.provider.events().find((e) => e.id === eventId)!.subject).toBe('Host, later');
      });

      it('MANUAL holds the pair until resolveConflict applies the choice', async () => {
        const u = await user(kind, 'manual');
        await setPolicy(u, { conflictPolicy: 'MANUAL', deletionWins: false });
        const { a, eventId } = await bothChanged(u, 'c4');
        await u.upsert('c4', { subject: 'Changed in the host' });
        await waitFor('the pair to be held', async () => (await u.appointment(a.id)).syncState === 'CONFLICT', 15_000);
        expect(u.provider.events().find((e) => e.id === eventId)!.subject).toBe('Changed in the calendar');
        await u.syncNow();
        expect((await u.appointment(a.id)).syncState).toBe('CONFLICT');
        const open = await u.gql<{ conflicts: { edges: { node: { id: string; status: string; hostVersion: { subject: string }; providerVersion: { subject: string } } }[] } }>(
          `query($c: ID) { conflicts(filter: { connectionId: $c, resolved: false }) { edges { node { id status hostVersion { subject } providerVersion { subject } } } } }`,
          { c: u.connectionId },
        );
        expect(open.conflicts.edges).toHaveLength(1);
        expect(open.conflicts.edges[0]!.node).toMatchObject({ status: 'OPEN', hostVersion: { subject: 'Changed in the host' }, providerVersion: { subject: 'Changed in the calendar' } });
        const resolved = await u.gql<{ resolveConflict: { status: string; decision: string } }>(`mutation($id: ID!) { resolveConflict(id: $id, choice: PROVIDER) { status decision } }`, {
          id: open.conflicts.edges[0]!.node.id,
        });
        expect(resolved.resolveConflict).toEqual({ status: 'RESOLVED', decision: 'PROVIDER' });
        const after = await u.appointment(a.id);
        expect(after).toMatchObject({ subject: 'Changed in the calendar', syncState: 'SYNCED' });
        const writes = u.provider.writes();
        await u.syncNow();
        expect(u.provider.writes()).toBe(writes);
      });

      it('lets a deletion win over an edit (deletionWins)', async () => {
        const u = await user(kind, 'delwins');
        await setPolicy(u, { conflictPolicy: 'LATEST_WINS', deletionWins: true });
        const a = await u.synced((await u.upsert('c5', { subject: 'Original' })).id);
        u.provider.remove(u.eventOf(a)!.id);
        await u.upsert('c5', { subject: 'Edited in the host' });
        await waitFor('the deletion to win', async () => (await u.appointment(a.id)).deleted, 15_000);
      });
    });

    it('with two-way off, writes go out but calendar edits do not come back', async () => {
      const u = await user(kind, 'oneway');
      const off = await u.gql<{ enableTwoWaySync: { twoWay: boolean } }>(`mutation($c: ID!) { enableTwoWaySync(connectionId: $c, enabled: false) { twoWay } }`, { c: u.connectionId });
      expect(off.enableTwoWaySync.twoWay).toBe(false);
      const a = await u.synced((await u.upsert('ow-1', { subject: 'Host owns this' })).id);
      u.provider.create('Private lunch', inDays(3, 12));
      u.provider.rename(u.eventOf(a)!.id, 'Renamed outside');
      await u.syncNow();
      expect((await u.appointments()).map((a2) => a2.subject)).toEqual(['Host owns this']);
      // The host's next save wins at the provider.
      await u.upsert('ow-1', { subject: 'Host owns this (v2)' });
      await waitFor('the host version outside', () => u.provider.events().some((e) => e.subject === 'Host owns this (v2)'), 10_000);
    });

    it('cleans up only the events the hub wrote, keeping the host data', async () => {
      const u = await user(kind, 'cleanup');
      const a = await u.synced((await u.upsert('cl-1', { subject: 'Hub wrote me' })).id);
      const b = await u.synced((await u.upsert('cl-2', { subject: 'Hub wrote me too', ...slot(5) })).id);
      const mine = u.provider.create('User made me', inDays(4));
      const started = await u.gql<{ cleanupSyncedEvents: { id: string } }>(`mutation($c: ID!) { cleanupSyncedEvents(connectionId: $c) { id } }`, { c: u.connectionId });
      await waitFor(
        'the cleanup run',
        async () => (await u.gql<{ syncRun: { outcome: string } }>(`query($id: ID!) { syncRun(id: $id) { outcome } }`, { id: started.cleanupSyncedEvents.id })).syncRun.outcome !== 'RUNNING',
        15_000,
      );
      expect(u.provider.events().map((e) => e.id)).toEqual([mine]);
      const kept = await u.appointment(a.id);
      expect(kept.deleted).toBe(false);
      expect(kept.mappings.every((m) => m.closedAt !== null)).toBe(true);
      expect((await u.appointment(b.id)).deleted).toBe(false);
    });

    it('holds a mass deletion until it is confirmed', async () => {
      const u = await user(kind, 'mass');
      const ids: string[] = [];
      for (let i = 0; i < 24; i++) ids.push(u.provider.create(`Meeting ${i}`, inDays(3 + (i % 20), 8 + (i % 8))));
      await u.syncNow();
      expect(await u.appointments()).toHaveLength(24);
      for (const id of ids.slice(0, 20)) u.provider.remove(id);
      const held = await u.syncNow();
      expect(held.counts.inbound.deleted).toBe(0);
      expect((await u.appointments()).length).toBe(24);
      const link = await u.gql<{ connection: { deletionsHeld: number | null } }>(`query($c: ID!) { connection(id: $c) { deletionsHeld } }`, { c: u.connectionId });
      expect(link.connection.deletionsHeld).toBe(20);
      // Polls keep holding them…
      expect((await u.syncNow()).counts.inbound.deleted).toBe(0);
      // …until an operator confirms.
      const confirmed = await u.syncNow({ confirmDeletions: true });
      expect(confirmed.counts.inbound.deleted).toBe(20);
      expect(await u.appointments()).toHaveLength(4);
    });

    it('keeps a change feed that pages through every change from the calendar exactly once', async () => {
      const u = await user(kind, 'feed');
      const ids = [u.provider.create('F1', inDays(3)), u.provider.create('F2', inDays(4)), u.provider.create('F3', inDays(5))];
      await u.syncNow();
      u.provider.rename(ids[0]!, 'F1 renamed');
      u.provider.remove(ids[1]!);
      await u.syncNow();
      const seen: { kind: string; appointmentId: string }[] = [];
      let after: string | null = null;
      for (;;) {
        const page: { appointmentChanges: { edges: { node: { kind: string; appointmentId: string } }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } } = await u.gql(
          `query($a: String) { appointmentChanges(first: 2, after: $a) { edges { node { kind appointmentId } } pageInfo { endCursor hasNextPage } } }`,
          { a: after },
        );
        seen.push(...page.appointmentChanges.edges.map((e) => e.node));
        after = page.appointmentChanges.pageInfo.endCursor;
        if (!page.appointmentChanges.pageInfo.hasNextPage) break;
      }
      expect(seen.map((s) => s.kind)).toEqual(['CREATED', 'CREATED', 'CREATED', 'UPDATED', 'DELETED']);
      // Nothing new: the feed resumes empty from its last cursor.
      const empty = await u.gql<{ appointmentChanges: { edges: unknown[] } }>(`query($a: String) { appointmentChanges(after: $a) { edges { cursor } } }`, { a: after });
      expect(empty.appointmentChanges.edges).toEqual([]);
    });
  });
}
