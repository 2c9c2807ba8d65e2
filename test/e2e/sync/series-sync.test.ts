import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occurrenceKey, seriesOccurrences } from '../../../src/domain/recurrence/occurrences.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { linkedUser, providerHand, type AppointmentView, type SyncUser } from './sync-harness.js';

/**
 * Recurring series end to end, both providers, both directions: a weekly series with one moved and
 * one cancelled occurrence ends equal on both sides (the host's master with its EXDATE and its
 * exception appointment against the calendar's instances) and the next poll writes nothing; series
 * that began before the link are not back-filled until edited.
 */

let t: LinkingHub;
beforeAll(async () => {
  t = await startLinkingHub({ SYNC_POLL_INTERVAL_MS: '3600000' });
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (d: Date) => d.toISOString();
const inDays = (days: number, hour = 9) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * HOUR);

/** The occurrences the host holds of a series (its master, its EXDATEs, its exception appointments): starts in UTC. */
function hostInstances(all: AppointmentView[], master: AppointmentView, from: Date, to: Date): string[] {
  const timing = { allDay: false as const, start: master.start!, end: master.end!, timeZone: master.timeZone! };
  const occurrences = seriesOccurrences(timing, { rrule: master.recurrence!.rrule, exdates: master.recurrence!.exdates, rdates: [] }, { start: from.getTime(), end: to.getTime() });
  const moved = new Map(all.filter((a) => a.seriesMasterId === master.id && !a.deleted).map((x) => [occurrenceKey(x.originalStart!), x.start!]));
  return occurrences.map((o) => iso(new Date(moved.get(occurrenceKey(o.originalStart)) ?? (o.allDay ? o.startDate : o.start)))).sort();
}

const versions = (all: AppointmentView[]) => Object.fromEntries(all.map((a) => [a.id, a.version]));

for (const kind of ['MICROSOFT', 'GOOGLE'] as const) {
  describe(`series with ${kind}`, () => {
    const user = (name: string, beforeLink?: Parameters<typeof linkedUser>[3]['beforeLink'], email?: string): Promise<SyncUser> =>
      linkedUser(t, t.sandbox.emulators, kind, { name, ...(beforeLink ? { beforeLink } : {}), ...(email ? { email } : {}) });

    it('writes a host series with a moved and a cancelled occurrence, and the next poll writes nothing', async () => {
      const u = await user('series-out');
      const start = inDays(7);
      const occurrence = (n: number) => new Date(start.getTime() + n * 7 * DAY);
      const series = { subject: 'Weekly sync', start: iso(start), end: iso(new Date(start.getTime() + HOUR)), timeZone: 'Europe/Berlin' };
      const master = await u.synced((await u.upsert('weekly', { ...series, recurrence: { rrule: 'FREQ=WEEKLY;COUNT=6' } })).id);
      expect(master.recurrence!.rrule).toBe('FREQ=WEEKLY;COUNT=6;WKST=MO');
      const seriesId = u.eventOf(master)!.id;

      const movedTo = new Date(occurrence(1).getTime() + 2 * HOUR);
      const moved = await u.upsert('weekly-2', {
        subject: 'Weekly sync (moved)',
        start: iso(movedTo),
        end: iso(new Date(movedTo.getTime() + HOUR)),
        timeZone: 'Europe/Berlin',
        seriesMasterId: master.id,
        originalStart: iso(occurrence(1)),
      });
      expect(moved).toMatchObject({ seriesMasterId: master.id, originalStart: iso(occurrence(1)) });
      await u.synced(moved.id);
      await u.synced((await u.upsert('weekly', { ...series, recurrence: { rrule: 'FREQ=WEEKLY;COUNT=6', exdates: [iso(occurrence(2))] } })).id);

      const window = [new Date(start.getTime() - DAY), new Date(start.getTime() + 60 * DAY)] as const;
      const instances = u.provider.instances(seriesId, ...window);
      expect(instances).toHaveLength(5);
      expect(instances.find((i) => i.originalStart === iso(occurrence(1)))).toMatchObject({ start: iso(movedTo), subject: 'Weekly sync (moved)' });
      expect(instances.some((i) => i.originalStart === iso(occurrence(2)))).toBe(false);
      let all = await u.appointments();
      expect(hostInstances(all, all.find((a) => a.id === master.id)!, ...window)).toEqual(instances.map((i) => i.start));

      const writes = u.provider.writes();
      const before = versions(all);
      const run = await u.syncNow();
      expect(run.outcome).toBe('SUCCEEDED');
      expect(u.provider.writes()).toBe(writes);
      all = await u.appointments();
      expect(versions(all)).toEqual(before);
      expect(all.every((a) => a.syncState === 'SYNCED')).toBe(true);
    });

    it('brings a calendar series with a moved and a cancelled occurrence into the host, and the next poll writes nothing', async () => {
      const u = await user('series-in');
      const start = inDays(6, 8);
      const occurrence = (n: number) => new Date(start.getTime() + n * 7 * DAY);
      const seriesId = u.provider.createSeries('Planning', start, 'FREQ=WEEKLY;COUNT=6');
      const movedTo = new Date(occurrence(1).getTime() + 3 * HOUR);
      u.provider.moveOccurrence(seriesId, occurrence(1), movedTo);
      u.provider.cancelOccurrence(seriesId, occurrence(3));
      const run = await u.syncNow();
      expect(run.counts.inbound.created).toBe(2);

      let all = await u.appointments();
      const master = all.find((a) => a.recurrence !== null)!;
      expect(master).toMatchObject({ subject: 'Planning', origin: kind, start: iso(start), seriesMasterId: null });
      expect(master.recurrence!.rrule).toContain('COUNT=6');
      expect(master.recurrence!.exdates).toEqual([iso(occurrence(3))]);
      const exception = all.find((a) => a.seriesMasterId === master.id)!;
      expect(exception).toMatchObject({ origin: kind, originalStart: iso(occurrence(1)), start: iso(movedTo), recurrence: null, syncState: 'SYNCED' });
      const window = [new Date(start.getTime() - DAY), new Date(start.getTime() + 60 * DAY)] as const;
      expect(hostInstances(all, master, ...window)).toEqual(u.provider.instances(seriesId, ...window).map((i) => i.start));

      const writes = u.provider.writes();
      const before = versions(all);
      const idle = await u.syncNow();
      expect(idle.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect(u.provider.writes()).toBe(writes);
      all = await u.appointments();
      expect(versions(all)).toEqual(before);
    });

    it('follows occurrences changed on one side into the other: a host exception moved again in the calendar, a calendar exception cancelled by the host', async () => {
      const u = await user('series-both');
      const start = inDays(5, 7);
      const occurrence = (n: number) => new Date(start.getTime() + n * 7 * DAY);
      const seriesId = u.provider.createSeries('Review', start, 'FREQ=WEEKLY;COUNT=4');
      u.provider.moveOccurrence(seriesId, occurrence(2), new Date(occurrence(2).getTime() + HOUR));
      await u.syncNow();
      let all = await u.appointments();
      const master = all.find((a) => a.recurrence !== null)!;
      const fromCalendar = all.find((a) => a.seriesMasterId === master.id)!;

      // The host moves another occurrence of the calendar's series: it becomes an exception there.
      const hostMoved = new Date(occurrence(1).getTime() + 2 * HOUR);
      const own = await u.upsert('review-1', { subject: 'Review (host)', start: iso(hostMoved), end: iso(new Date(hostMoved.getTime() + HOUR)), timeZone: 'UTC', seriesMasterId: master.id, originalStart: iso(occurrence(1)) });
      await u.synced(own.id);
      // The host deletes the occurrence the calendar moved: it is cancelled there, and the master gets its EXDATE.
      await u.gql(`mutation($id: ID) { deleteAppointment(id: $id) { id } }`, { id: fromCalendar.id });
      await waitFor('the cancellation in the calendar', () => !u.provider.instances(seriesId, start, new Date(start.getTime() + 40 * DAY)).some((i) => i.originalStart === iso(occurrence(2))), 10_000);
      await u.syncNow();
      expect((await u.appointment(master.id)).recurrence!.exdates).toEqual([iso(occurrence(2))]);

      // The user moves the host's exception again in the calendar.
      const movedAgain = new Date(occurrence(1).getTime() + 5 * HOUR);
      u.provider.moveOccurrence(seriesId, occurrence(1), movedAgain);
      await u.syncNow();
      all = await u.appointments();
      expect(all.find((a) => a.id === own.id)).toMatchObject({ start: iso(movedAgain), originalStart: iso(occurrence(1)) });
      const window = [new Date(start.getTime() - DAY), new Date(start.getTime() + 40 * DAY)] as const;
      expect(hostInstances(all, all.find((a) => a.id === master.id)!, ...window)).toEqual(u.provider.instances(seriesId, ...window).map((i) => i.start));
    });

    it('follows occurrences moved and cancelled in the calendar after the series synced (deletions naming no series resolved against the known masters)', async () => {
      const u = await user('series-later');
      const start = inDays(4, 10);
      const occurrence = (n: number) => new Date(start.getTime() + n * 7 * DAY);
      // One series from the host, one from the calendar, both synced before the user touches their occurrences.
      const hostMaster = await u.synced(
        (await u.upsert('standup', { subject: 'Standup', start: iso(start), end: iso(new Date(start.getTime() + HOUR)), timeZone: 'UTC', recurrence: { rrule: 'FREQ=WEEKLY;COUNT=5' } })).id,
      );
      const hostSeriesId = u.eventOf(hostMaster)!.id;
      const calendarSeriesId = u.provider.createSeries('Retro', new Date(start.getTime() + 3 * HOUR), 'FREQ=WEEKLY;COUNT=5');
      await u.syncNow();
      const calendarMaster = (await u.appointments()).find((a) => a.subject === 'Retro')!;
      expect(calendarMaster.recurrence).not.toBeNull();

      u.provider.cancelOccurrence(hostSeriesId, occurrence(2));
      const hostMovedTo = new Date(occurrence(3).getTime() + 90 * 60_000);
      u.provider.moveOccurrence(hostSeriesId, occurrence(3), hostMovedTo);
      const retro = (n: number) => new Date(occurrence(n).getTime() + 3 * HOUR);
      u.provider.cancelOccurrence(calendarSeriesId, retro(1));
      u.provider.moveOccurrence(calendarSeriesId, retro(4), new Date(retro(4).getTime() + DAY));
      const run = await u.syncNow();
      expect(run.outcome).toBe('SUCCEEDED');

      let all = await u.appointments();
      const window = [new Date(start.getTime() - DAY), new Date(start.getTime() + 60 * DAY)] as const;
      for (const [master, seriesId, cancelled, moved] of [
        [hostMaster, hostSeriesId, occurrence(2), occurrence(3)],
        [calendarMaster, calendarSeriesId, retro(1), retro(4)],
      ] as const) {
        const now = all.find((a) => a.id === master.id)!;
        expect(now.recurrence!.exdates).toEqual([iso(cancelled)]);
        expect(all.filter((a) => a.seriesMasterId === master.id).map((a) => a.originalStart)).toEqual([iso(moved)]);
        const instances = u.provider.instances(seriesId, ...window);
        expect(instances).toHaveLength(4);
        expect(hostInstances(all, now, ...window)).toEqual(instances.map((i) => i.start));
      }
      expect(all.every((a) => a.syncState === 'SYNCED')).toBe(true);

      const writes = u.provider.writes();
      const before = versions(all);
      const idle = await u.syncNow();
      expect(idle.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect(u.provider.writes()).toBe(writes);
      all = await u.appointments();
      expect(versions(all)).toEqual(before);
    });

    it('does not back-fill a series whose first occurrence precedes the link, on either side, until it is edited', async () => {
      const email =
        kind === 'MICROSOFT'
          ? t.sandbox.emulators.microsoft.control.createAccount({ email: `series-old.${Date.now()}@contoso.onmicrosoft.com` }).email
          : t.sandbox.emulators.google.control.createAccount({ email: `series-old.${Date.now()}@example.com` }).email;
      const calendarId =
        kind === 'MICROSOFT'
          ? t.sandbox.emulators.microsoft.control.getAccount(email).calendarIds[0]!
          : t.sandbox.emulators.google.control.listAccounts().find((a) => a.email === email)!.calendarIds[0]!;
      const early = inDays(-7);
      const calendarSeries = providerHand(t.sandbox.emulators, kind, email, calendarId).createSeries('Old calendar series', early, 'FREQ=WEEKLY;COUNT=6');
      const hostSeries = { subject: 'Old host series', start: iso(new Date(early.getTime() + HOUR)), end: iso(new Date(early.getTime() + 2 * HOUR)), timeZone: 'UTC', recurrence: { rrule: 'FREQ=WEEKLY;COUNT=6' } };
      const u = await user(
        'series-old',
        async (tenant, gql) => {
          await gql(`mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { created } }`, { i: { hostAppointmentId: 'old-series', userId: tenant.userId, ...hostSeries } });
        },
        email,
      );
      await u.syncNow();
      let all = await u.appointments();
      expect(all.map((a) => [a.subject, a.syncState])).toEqual([['Old host series', 'NONE']]);
      expect(u.provider.events().map((e) => e.subject)).toEqual(['Old calendar series']);

      // Edited on either side, they sync.
      await u.synced((await u.upsert('old-series', hostSeries)).id);
      u.provider.rename(calendarSeries, 'Old calendar series (edited)');
      await u.syncNow();
      all = await u.appointments();
      expect(all.map((a) => a.subject).sort()).toEqual(['Old calendar series (edited)', 'Old host series']);
      expect(all.every((a) => a.recurrence !== null && a.syncState === 'SYNCED')).toBe(true);
      expect(u.provider.events().map((e) => e.subject).sort()).toEqual(['Old calendar series (edited)', 'Old host series']);
    });
  });
}
