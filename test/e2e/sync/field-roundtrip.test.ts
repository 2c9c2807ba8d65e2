import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import { SyncIssue, SyncMapping } from '../../../src/store/entities/index.js';
import { idOf } from '../../helpers/hub-harness.js';
import { addUser, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { linkedUser, type RunView, type SyncUser } from './sync-harness.js';

/**
 * Every field a user sees survives the round trip (docs/sync.md, "Fields"), for both providers and
 * both directions: an appointment with every field set goes out and comes back equal field by field
 * (after the documented normalisations), an event made in the calendar comes in, and the next poll
 * makes no write (counted on the emulators). "Comes back equal" is checked twice: by the content the
 * host holds after the calendar's copy was taken in, and by the hub itself — with its pair record
 * lost, a full read finds its event again and links it without writing, which it only does when
 * the event reads back as the appointment.
 */

let t: LinkingHub;
beforeAll(async () => {
  t = await startLinkingHub({ SYNC_POLL_INTERVAL_MS: '3600000' });
  t.sandbox.emulators.core.journal.enabled = true;
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const inDays = (days: number, hour = 9) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000);
const dateIn = (days: number) => inDays(days, 0).toISOString().slice(0, 10);
const LINK = 'https://crm.example.com/leads/{hostRecordId}';
const HOST_OFFSETS = [0, 5, 10, 15, 30, 60, 120, 1440];

const FULL = `id version origin organizer { email response hostUserId } subject body { contentType content } allDay start end timeZone startDate endDate location resources hostRecordId hostOnly
  attendees { email name optional resource response hostUserId } reminders { minutesBefore method } recurrence { rrule exdates } showAs sensitivity syncState
  mappings { id state externalEventId closedAt }`;

interface Full {
  id: string;
  version: number;
  origin: string;
  organizer: { email: string; response: string; hostUserId: string | null } | null;
  subject: string | null;
  body: { contentType: string; content: string } | null;
  allDay: boolean;
  start: string | null;
  end: string | null;
  timeZone: string | null;
  startDate: string | null;
  endDate: string | null;
  location: string | null;
  resources: string[];
  hostRecordId: string | null;
  hostOnly: Record<string, unknown> | null;
  attendees: { email: string; name: string | null; optional: boolean; resource: boolean; response: string; hostUserId: string | null }[];
  reminders: { minutesBefore: number; method: string }[] | null;
  recurrence: { rrule: string; exdates: string[] } | null;
  showAs: string;
  sensitivity: string;
  syncState: string;
  mappings: { id: string; state: string; externalEventId: string | null; closedAt: string | null }[];
}

/** The synced fields of an appointment, as a host compares them (ids, versions and sync state aside). */
const fieldsOf = ({ id: _id, version: _v, syncState: _s, mappings: _m, origin: _o, ...rest }: Full) => rest;

interface FieldUser extends SyncUser {
  /** A host user of the tenant other than the owner (an attendee that matches). */
  colleague: { id: string; email: string };
  full(id: string): Promise<Full>;
  upsertFull(hostAppointmentId: string, fields: Record<string, unknown>): Promise<Full>;
}

let seq = 0;

async function fieldUser(kind: ProviderKind, name: string, settings: Record<string, unknown>): Promise<FieldUser> {
  seq += 1;
  const colleague = { id: '', email: `ann.${name}.${seq}@example.com` };
  // The Google calendar lives in Europe/Berlin, so events in other zones are "in a zone other than the calendar's".
  const email = kind === 'GOOGLE' ? t.sandbox.emulators.google.control.createAccount({ email: `${name}.${seq}@example.com`, timeZone: 'Europe/Berlin' }).email : undefined;
  const u = await linkedUser(t, t.sandbox.emulators, kind, {
    name,
    ...(email ? { email } : {}),
    beforeLink: async (tenant, gql) => {
      await gql(`mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { tenantId } }`, { i: settings });
      colleague.id = await addUser(t, tenant.key, { hostUserId: `ann-${name}-${seq}`, email: colleague.email });
    },
  });
  const full = async (id: string) => (await u.gql<{ appointment: Full }>(`query($id: ID!) { appointment(id: $id) { ${FULL} } }`, { id })).appointment;
  return {
    ...u,
    colleague,
    full,
    async upsertFull(hostAppointmentId, fields) {
      const input = { hostAppointmentId, userId: u.tenant.userId, ...fields };
      const data = await u.gql<{ upsertAppointment: { appointment: Full } }>(`mutation($input: UpsertAppointmentInput!) { upsertAppointment(input: $input) { appointment { ${FULL} } } }`, { input });
      return data.upsertAppointment.appointment;
    },
  };
}

/** The next poll reads the calendar and writes nothing anywhere. */
async function expectQuiet(u: SyncUser): Promise<RunView> {
  const writes = u.provider.writes();
  const run = await u.syncNow();
  expect(run.outcome).toBe('SUCCEEDED');
  expect(run.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0, conflicts: 0, errors: 0 });
  expect(run.counts.outbound).toMatchObject({ created: 0, updated: 0, deleted: 0, conflicts: 0, errors: 0 });
  expect(u.provider.writes()).toBe(writes);
  return run;
}

/**
 * The hub's own check that the event reads back as the appointment: its pair record lost and the
 * cursor gone, a full read finds its event by the hub tag and links it — no write on either side.
 */
async function expectReadsBackEqual(u: FieldUser, a: Full): Promise<void> {
  const before = await u.full(a.id);
  const eventId = before.mappings.find((m) => m.closedAt === null)!.externalEventId;
  await t.hub.orm.em.fork().nativeDelete(SyncMapping, { appointmentId: idOf('appointment', a.id) });
  u.provider.invalidateCursor();
  const writes = u.provider.writes();
  const run = await u.syncNow();
  expect(run.counts.inbound).toMatchObject({ created: 0, updated: 0, deleted: 0, conflicts: 0 });
  expect(run.counts.outbound).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  expect(u.provider.writes()).toBe(writes);
  const after = await u.full(a.id);
  expect(after.version).toBe(before.version);
  expect(after.mappings.filter((m) => m.closedAt === null)).toEqual([expect.objectContaining({ state: 'SYNCED', externalEventId: eventId })]);
}

async function openIssues(appointmentId: string): Promise<string[]> {
  const rows = await t.hub.orm.em.fork().find(SyncIssue, { appointmentId: idOf('appointment', appointmentId), resolvedAt: null });
  return rows.map((r) => r.code).sort();
}

const str = (v: unknown) => JSON.stringify(v);

/** The `sendUpdates` of every event write the hub sent to Google for the account (insert, update, patch). */
function googleSendUpdates(u: SyncUser): string[] {
  const { id } = t.sandbox.emulators.google.control.listAccounts().find((a) => a.email.toLowerCase() === u.email.toLowerCase())!;
  const names = new Set([id.toLowerCase(), u.email.toLowerCase()]);
  return t.sandbox.emulators.core.journal
    .list({ provider: 'google' })
    .filter((e) => e.account !== null && names.has(e.account) && /^google\.events\.(insert|update|patch)$/.test(e.route))
    .map((e) => new URL(e.url, 'http://x').searchParams.get('sendUpdates') ?? '(none)');
}

/** The next change of Europe/Berlin's offset at least two weeks ahead (a series that starts before it crosses it). */
function nextDstChange(): DateTime {
  let day = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 15 });
  const offset = day.offset;
  while (day.offset === offset) day = day.plus({ days: 1 });
  return day;
}

for (const kind of ['MICROSOFT', 'GOOGLE'] as const) {
  const ms = kind === 'MICROSOFT';
  const marker = ms ? '[O]' : '[G]';

  describe(`every field round-trips with ${kind}`, () => {
    it('an appointment with every field set goes out and comes back equal, and the next poll writes nothing', async () => {
      const u = await fieldUser(kind, 'every', {
        recordLinkTemplate: LINK,
        recordLinkLabel: 'Show lead',
        titleMarkers: { enabled: true, placement: 'OUTSIDE' },
        writeAttendees: true,
        hostProfile: { reminderMinutes: HOST_OFFSETS },
      });
      const start = inDays(5, 14);
      const html = '<p dir="rtl">שלום עולם 👋🏽 مرحبا</p><p>Agenda: <b>numbers</b> &amp; <a href="https://wiki.example.com/q3">the plan</a></p><ul><li>e\u0301te\u0301 ✅</li></ul>';
      const input = {
        subject: 'Quarterly review 📈 — مراجعة',
        body: { contentType: 'HTML', content: html },
        start: start.toISOString(),
        end: new Date(start.getTime() + 90 * 60_000).toISOString(),
        // A zone other than the calendar's (Google: Europe/Berlin).
        timeZone: 'America/New_York',
        location: 'HQ',
        resources: ['Room 4.12'],
        attendees: [
          { email: u.colleague.email.toUpperCase(), name: 'Ann Colleague' },
          { email: 'guest@partner.example', name: 'Guest Partner', optional: true },
        ],
        reminders: [{ minutesBefore: 30 }, { minutesBefore: 1440, method: 'EMAIL' }],
        showAs: ms ? 'TENTATIVE' : 'FREE',
        sensitivity: 'PRIVATE',
        hostRecordId: 'lead-7',
        hostOnly: { visibleForAllUsers: true, internalRating: 'A+' },
      };
      const saved = await u.upsertFull('every-1', input);
      expect(saved.attendees.map((a) => [a.email, a.hostUserId])).toEqual([
        [u.colleague.email, u.colleague.id],
        ['guest@partner.example', null],
      ]);
      const synced = await u.full((await u.synced(saved.id)).id);
      const eventId = synced.mappings[0]!.externalEventId!;
      const outside = u.provider.raw(eventId)!;

      // What the calendar shows: marker, record link, room in the location, attendees, reminders, privacy — and nothing host-only.
      const leadUrl = 'https://crm.example.com/leads/lead-7';
      expect(str(outside)).not.toContain('visibleForAllUsers');
      expect(str(outside)).not.toContain('internalRating');
      if (ms) {
        expect(outside).toMatchObject({
          subject: '[S] Quarterly review 📈 — مراجعة',
          location: { displayName: 'HQ; Room 4.12' },
          sensitivity: 'private',
          showAs: 'tentative',
          isReminderOn: true,
          reminderMinutesBeforeStart: 1440,
          originalStartTimeZone: 'America/New_York',
        });
        const body = (outside.body as { content: string }).content;
        expect(body).toContain(`href="${leadUrl}"`);
        expect(body).toContain('Show lead');
        expect(body).toContain('שלום עולם 👋🏽 مرحبا');
        expect((outside.attendees as { emailAddress: { address: string } }[]).map((a) => a.emailAddress.address.toLowerCase()).sort()).toEqual([u.colleague.email, 'guest@partner.example'].sort());
        // Outlook holds one reminder: the earliest was written, the other is reported.
        expect(await openIssues(saved.id)).toEqual(['REMINDERS_DROPPED']);
      } else {
        expect(outside).toMatchObject({
          summary: '[S] Quarterly review 📈 — مراجعة',
          location: 'HQ; Room 4.12',
          visibility: 'private',
          transparency: 'transparent',
          reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 30 }, { method: 'email', minutes: 1440 }] },
          start: expect.objectContaining({ timeZone: 'America/New_York' }),
        });
        expect(outside.description).toContain(`<a href="${leadUrl}">Show lead</a>`);
        expect((outside.attendees as { email: string }[]).map((a) => a.email.toLowerCase()).sort()).toEqual([u.colleague.email, 'guest@partner.example'].sort());
        expect(await openIssues(saved.id)).toEqual([]);
        // writeAttendees is on: Google e-mails the invitations, as Outlook always does.
        expect(googleSendUpdates(u)).toEqual(['all']);
      }
      expect(Date.parse(String(ms ? `${(outside.start as { dateTime: string }).dateTime.slice(0, 19)}Z` : (outside.start as { dateTime: string }).dateTime))).toBe(start.getTime());

      // The echo of the write: nothing changes, nothing is written.
      await expectQuiet(u);
      expect(fieldsOf(await u.full(saved.id))).toEqual(fieldsOf(saved));
      await expectReadsBackEqual(u, saved);

      // The calendar's copy taken into the host (the user renames it there): every other field is as the host wrote it.
      u.provider.updateRaw(eventId, ms ? { subject: '[S] Quarterly review 📈 — moved ✅' } : { summary: '[S] Quarterly review 📈 — moved ✅' });
      const run = await u.syncNow();
      expect(run.counts.inbound.updated).toBe(1);
      const back = await u.full(saved.id);
      expect(fieldsOf(back)).toEqual({ ...fieldsOf(saved), subject: 'Quarterly review 📈 — moved ✅' });
      await expectQuiet(u);

      // A provider rewrapping the body (same text, other markup) is no change.
      const rewrapped = `<div class="x_elementToProof" style="font-family:Aptos,sans-serif"><p dir="rtl" style="margin:0">שלום עולם 👋🏽 مرحبا</p><p style="margin:0">Agenda: <b>numbers</b> &amp; <a href="https://wiki.example.com/q3" data-auth="NotApplicable">the plan</a></p><ul><li>e\u0301te\u0301 ✅</li></ul><p><a href="${leadUrl}">Show lead</a></p></div>`;
      u.provider.updateRaw(eventId, ms ? { body: { contentType: 'html', content: rewrapped } } : { description: rewrapped });
      const rewrap = await expectQuiet(u);
      expect(rewrap.counts.inbound.unchanged).toBeGreaterThanOrEqual(1);
      expect((await u.full(saved.id)).version).toBe(back.version);
    });

    it('an event made in the calendar with every field set comes in as the calendar shows it, and nothing goes back out', async () => {
      const u = await fieldUser(kind, 'inbound', {
        titleMarkers: { enabled: true, placement: 'HOST' },
        hostProfile: { reminderMinutes: HOST_OFFSETS },
      });
      const start = inDays(6, 1);
      const local = (d: Date) => DateTime.fromJSDate(d, { zone: 'Asia/Tokyo' }).toFormat("yyyy-LL-dd'T'HH:mm:ss");
      const styled = '<html><head><meta charset="utf-8"><style>p{margin:0}</style></head><body><div class="elementToProof" style="font-family:Aptos"><p dir="rtl">مرحبا بكم 👋🏽</p><p>Dial-in: <a href="https://meet.example.com/x">join</a></p></div><script>alert(1)</script></body></html>';
      const eventId = u.provider.createRaw(
        ms
          ? {
              subject: 'Vendor call ☎️',
              body: { contentType: 'html', content: styled },
              // A Windows zone name, and a zone other than the calendar's.
              start: { dateTime: local(start), timeZone: 'Tokyo Standard Time' },
              end: { dateTime: local(new Date(start.getTime() + 3_600_000)), timeZone: 'Tokyo Standard Time' },
              location: { displayName: 'Partner office' },
              attendees: [
                { type: 'required', emailAddress: { address: u.colleague.email.toUpperCase(), name: 'Ann' } },
                { type: 'optional', emailAddress: { address: 'guest@partner.example', name: 'Guest' } },
                { type: 'resource', emailAddress: { address: 'room-7@contoso.example', name: 'Room 7' } },
              ],
              isReminderOn: true,
              reminderMinutesBeforeStart: 20,
              showAs: 'oof',
              sensitivity: 'private',
            }
          : {
              summary: 'Vendor call ☎️',
              description: styled,
              start: { dateTime: `${local(start)}+09:00`, timeZone: 'Asia/Tokyo' },
              end: { dateTime: `${local(new Date(start.getTime() + 3_600_000))}+09:00`, timeZone: 'Asia/Tokyo' },
              location: 'Partner office',
              attendees: [
                { email: u.colleague.email.toUpperCase(), displayName: 'Ann' },
                { email: 'guest@partner.example', displayName: 'Guest', optional: true },
                { email: 'room-7@contoso.example', displayName: 'Room 7', resource: true },
              ],
              reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 20 }, { method: 'email', minutes: 50 }] },
              transparency: 'transparent',
              visibility: 'private',
            },
      );
      const run = await u.syncNow();
      expect(run.counts.inbound.created).toBe(1);
      const [listed] = await u.appointments();
      const a = await u.full(listed!.id);
      expect(a).toMatchObject({
        origin: kind,
        // The account organises it: an appointment the user owns, not an invitation.
        organizer: null,
        subject: `${marker} Vendor call ☎️`,
        allDay: false,
        start: start.toISOString(),
        timeZone: 'Asia/Tokyo',
        location: 'Partner office',
        resources: [],
        showAs: ms ? 'OUT_OF_OFFICE' : 'FREE',
        sensitivity: 'PRIVATE',
        // Rounded to the host's offsets: 20 → 15, 50 → 60.
        reminders: ms ? [{ minutesBefore: 15, method: 'POPUP' }] : [{ minutesBefore: 15, method: 'POPUP' }, { minutesBefore: 60, method: 'EMAIL' }],
      });
      expect(a.attendees).toEqual([
        { email: u.colleague.email, name: 'Ann', optional: false, resource: false, response: 'NEEDS_ACTION', hostUserId: u.colleague.id },
        { email: 'guest@partner.example', name: 'Guest', optional: true, resource: false, response: 'NEEDS_ACTION', hostUserId: null },
        { email: 'room-7@contoso.example', name: 'Room 7', optional: false, resource: true, response: 'NEEDS_ACTION', hostUserId: null },
      ]);
      // The body the host gets is sanitised: the text, the link and the direction stay; styles and scripts go.
      expect(a.body!.contentType).toBe('HTML');
      expect(a.body!.content).toContain('<p dir="rtl">مرحبا بكم 👋🏽</p>');
      expect(a.body!.content).toContain('<a href="https://meet.example.com/x">join</a>');
      expect(a.body!.content).not.toMatch(/style|script|alert|class=/);

      // The rounded reminder and the host's marker are not written back; a change made outside comes in alone.
      await expectQuiet(u);
      u.provider.updateRaw(eventId, ms ? { location: { displayName: 'Partner office, 3rd floor' } } : { location: 'Partner office, 3rd floor' });
      expect((await u.syncNow()).counts.inbound.updated).toBe(1);
      expect(fieldsOf(await u.full(a.id))).toEqual({ ...fieldsOf(a), location: 'Partner office, 3rd floor' });
      await expectQuiet(u);
    });

    it('all-day appointments of one and of several days, with and without a zone, stay all-day on their dates', async () => {
      const u = await fieldUser(kind, 'allday', {});
      const one = await u.upsertFull('one-day', { subject: 'Offsite', startDate: dateIn(9), endDate: dateIn(10) });
      const several = await u.upsertFull('multi-day', { subject: 'Trade fair 🎪', startDate: dateIn(11), endDate: dateIn(14), timeZone: 'Europe/Berlin' });
      for (const [a, from, to] of [
        [one, dateIn(9), dateIn(10)],
        [several, dateIn(11), dateIn(14)],
      ] as const) {
        const synced = await u.full((await u.synced(a.id)).id);
        const outside = u.provider.raw(synced.mappings[0]!.externalEventId!)!;
        if (ms) {
          expect(outside).toMatchObject({ isAllDay: true, start: { dateTime: `${from}T00:00:00.0000000` }, end: { dateTime: `${to}T00:00:00.0000000` } });
        } else {
          expect(outside).toMatchObject({ start: { date: from }, end: { date: to } });
        }
        await expectReadsBackEqual(u, synced);
        expect(fieldsOf(await u.full(a.id))).toEqual(fieldsOf(a));
      }
      await expectQuiet(u);

      // All-day events made in the calendar: a floating day (Google) or a day in a Windows zone (Outlook), and three days.
      u.provider.createRaw(
        ms
          ? { subject: 'Holiday', isAllDay: true, start: { dateTime: `${dateIn(15)}T00:00:00`, timeZone: 'W. Europe Standard Time' }, end: { dateTime: `${dateIn(18)}T00:00:00`, timeZone: 'W. Europe Standard Time' } }
          : { summary: 'Holiday', start: { date: dateIn(15) }, end: { date: dateIn(18) } },
      );
      expect((await u.syncNow()).counts.inbound.created).toBe(1);
      const holiday = (await u.appointments()).find((x) => x.subject === 'Holiday')!;
      expect(await u.full(holiday.id)).toMatchObject({ allDay: true, startDate: dateIn(15), endDate: dateIn(18), start: null, timeZone: ms ? 'Europe/Berlin' : null });
      await expectQuiet(u);
    });

    it('a weekly series crossing a DST change stays at 09:00 local on both sides of it', async () => {
      const u = await fieldUser(kind, 'dst', {});
      const change = nextDstChange();
      const from = change.minus({ days: 14 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
      // The first Monday on or after two weeks before the change: two occurrences before it, four after.
      const first = from.weekday === 1 ? from : from.plus({ days: 8 - from.weekday });
      const a = await u.upsertFull('dst-series', {
        subject: 'Stand-up',
        start: first.toUTC().toISO(),
        end: first.plus({ minutes: 15 }).toUTC().toISO(),
        timeZone: 'Europe/Berlin',
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=6' },
        reminders: [{ minutesBefore: 10 }],
      });
      const synced = await u.full((await u.synced(a.id)).id);
      const seriesId = synced.mappings[0]!.externalEventId!;
      const occurrences = u.provider.rawInstances(seriesId, first.minus({ days: 1 }).toJSDate(), first.plus({ weeks: 7 }).toJSDate());
      expect(occurrences).toHaveLength(6);
      const startOf = (o: Record<string, unknown>) => {
        const s = o.start as { dateTime: string; timeZone?: string };
        return ms ? DateTime.fromISO(`${s.dateTime.slice(0, 19)}Z`) : DateTime.fromISO(s.dateTime, { setZone: true });
      };
      const local = occurrences.map((o) => startOf(o).setZone('Europe/Berlin'));
      expect(local.map((d) => d.toFormat('ccc HH:mm'))).toEqual(Array(6).fill('Mon 09:00'));
      // The offset changes inside the series: the same wall time is another UTC hour after the change.
      expect(new Set(local.map((d) => d.offset)).size).toBe(2);
      await expectReadsBackEqual(u, synced);
      expect(fieldsOf(await u.full(a.id))).toEqual(fieldsOf(a));
      await expectQuiet(u);
    });

    it('attendees are not written unless the tenant says so, and an update keeps the ones added in the calendar', async () => {
      const u = await fieldUser(kind, 'guests', {});
      const base = { subject: 'Pitch', start: inDays(8, 10).toISOString(), end: inDays(8, 11).toISOString(), timeZone: 'Europe/Berlin' };
      const a = await u.upsertFull('guests-1', { ...base, attendees: [{ email: u.colleague.email }, { email: 'client@customer.example', name: 'Client' }] });
      const synced = await u.full((await u.synced(a.id)).id);
      const eventId = synced.mappings[0]!.externalEventId!;
      expect(u.provider.raw(eventId)!.attendees ?? []).toEqual([]);
      expect(synced.organizer).toBeNull();
      await expectQuiet(u);

      // The user invites someone in the calendar: the host sees it, its own list stays.
      u.provider.updateRaw(eventId, ms ? { attendees: [{ type: 'required', emailAddress: { address: 'boss@contoso.example', name: 'Boss' } }] } : { attendees: [{ email: 'boss@contoso.example', displayName: 'Boss' }] });
      expect((await u.syncNow()).counts.inbound.updated).toBe(1);
      expect((await u.full(a.id)).attendees.map((x) => x.email)).toEqual([u.colleague.email, 'client@customer.example', 'boss@contoso.example']);

      // The host saves again (its own list, a new title): the calendar's attendees are left as they are.
      await u.upsertFull('guests-1', { ...base, subject: 'Pitch (final)', attendees: [{ email: u.colleague.email }] });
      await u.synced(a.id);
      const outside = u.provider.raw(eventId)!;
      expect(ms ? outside.subject : outside.summary).toBe('Pitch (final)');
      const emails = ((outside.attendees ?? []) as Record<string, unknown>[]).map((x) => (ms ? (x.emailAddress as { address: string }).address : x.email));
      expect(emails).toEqual(['boss@contoso.example']);
      // Nobody is e-mailed: Google writes say sendUpdates=none (Outlook gets no attendees at all).
      if (!ms) expect(new Set(googleSendUpdates(u))).toEqual(new Set(['none']));
      await expectQuiet(u);
    });

    it(`a 100 kB body with emoji and RTL text ${ms ? 'survives whole' : 'is cut at Google’s limit with a warning, and the host keeps it whole'}`, async () => {
      const u = await fieldUser(kind, 'bigbody', { recordLinkTemplate: LINK });
      const line = 'שלום עולם 👋🏽 مرحبا بالعالم e\u0301 👨‍👩‍👧 中文 — the quick brown fox 🦊\n';
      const content = line.repeat(Math.ceil(100_000 / Buffer.byteLength(line))).trimEnd();
      expect(Buffer.byteLength(content)).toBeGreaterThanOrEqual(100_000);
      const a = await u.upsertFull('big-1', { subject: 'Long notes 📝', start: inDays(4, 12).toISOString(), end: inDays(4, 13).toISOString(), timeZone: 'Europe/Berlin', body: { contentType: 'TEXT', content }, hostRecordId: '9' });
      const synced = await u.full((await u.synced(a.id)).id);
      const outside = u.provider.raw(synced.mappings[0]!.externalEventId!)!;
      if (ms) {
        expect((outside.body as { content: string }).content).toContain('the quick brown fox 🦊');
        expect(await openIssues(a.id)).toEqual([]);
      } else {
        const description = outside.description as string;
        expect(description.length).toBeLessThanOrEqual(8_192);
        expect(description.endsWith('Open in CRM: https://crm.example.com/leads/9')).toBe(true);
        expect(description).toContain('…');
        expect(await openIssues(a.id)).toEqual(['FIELD_TRUNCATED']);
      }
      await expectQuiet(u);
      await expectReadsBackEqual(u, synced);
      // The host keeps its whole body, also after the calendar's copy came in.
      u.provider.updateRaw(synced.mappings[0]!.externalEventId!, ms ? { subject: 'Long notes 📝 (read)' } : { summary: 'Long notes 📝 (read)' });
      expect((await u.syncNow()).counts.inbound.updated).toBe(1);
      expect(fieldsOf(await u.full(a.id))).toEqual({ ...fieldsOf(a), subject: 'Long notes 📝 (read)' });
      await expectQuiet(u);
    });

    if (ms) {
      it('a subject longer than Outlook holds is cut there, whole characters only, with a warning; the host keeps it', async () => {
        const u = await fieldUser(kind, 'longsubject', {});
        const subject = `Übersicht ${'Review 👩‍💻 مراجعة e\u0301 '.repeat(20)}`.trim();
        expect(subject.length).toBeGreaterThan(255);
        const a = await u.upsertFull('long-1', { subject, start: inDays(3, 10).toISOString(), end: inDays(3, 11).toISOString(), timeZone: 'Europe/Berlin' });
        const synced = await u.full((await u.synced(a.id)).id);
        const written = String(u.provider.raw(synced.mappings[0]!.externalEventId!)!.subject);
        expect(written.length).toBeLessThanOrEqual(255);
        expect(written.endsWith('…')).toBe(true);
        expect(subject.startsWith(written.slice(0, -1))).toBe(true);
        // The cut falls between two characters as a reader sees them (no half emoji, no mark without its letter).
        const boundaries = new Set([...new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(subject)].map((g) => g.index));
        expect(boundaries.has(written.length - 1)).toBe(true);
        expect(await openIssues(a.id)).toEqual(['FIELD_TRUNCATED']);
        await expectQuiet(u);
        await expectReadsBackEqual(u, synced);
        expect((await u.full(a.id)).subject).toBe(subject);
      });
    }

    it('markers off: titles pass as they are', async () => {
      const u = await fieldUser(kind, 'nomark', {});
      const a = await u.upsertFull('plain-1', { subject: '[S] typed by the user', start: inDays(3, 8).toISOString(), end: inDays(3, 9).toISOString(), timeZone: 'UTC' });
      const synced = await u.full((await u.synced(a.id)).id);
      const outside = u.provider.raw(synced.mappings[0]!.externalEventId!)!;
      expect(ms ? outside.subject : outside.summary).toBe('[S] typed by the user');
      await expectReadsBackEqual(u, synced);
      await expectQuiet(u);
    });
  });
}

describe('attendee answers (Google, which lets a test answer for a guest)', () => {
  it('answers come in and are kept across an edit; a new time resets them on both sides', async () => {
    const u = await fieldUser('GOOGLE', 'answers', { writeAttendees: true });
    const base = { subject: 'Demo', start: inDays(7, 10).toISOString(), end: inDays(7, 11).toISOString(), timeZone: 'Europe/Berlin' };
    const attendees = [{ email: u.colleague.email }, { email: 'client@customer.example', name: 'Client' }];
    const a = await u.upsertFull('answers-1', { ...base, attendees });
    const eventId = (await u.full((await u.synced(a.id)).id)).mappings[0]!.externalEventId!;
    const answersOutside = () => Object.fromEntries(((u.provider.raw(eventId)!.attendees ?? []) as { email: string; responseStatus: string }[]).map((x) => [x.email.toLowerCase(), x.responseStatus]));
    const answersInHost = async () => Object.fromEntries((await u.full(a.id)).attendees.map((x) => [x.email, x.response]));

    // The guests answer in their calendars.
    u.provider.updateRaw(eventId, {
      attendees: [
        { email: u.colleague.email, responseStatus: 'accepted' },
        { email: 'client@customer.example', displayName: 'Client', responseStatus: 'declined' },
      ],
    });
    expect((await u.syncNow()).counts.inbound.updated).toBe(1);
    expect(await answersInHost()).toEqual({ [u.colleague.email]: 'ACCEPTED', 'client@customer.example': 'DECLINED' });
    await expectQuiet(u);

    // The host edits the title (its input carries no answers): the answers stay, in the host and outside.
    await u.upsertFull('answers-1', { ...base, subject: 'Demo (v2)', attendees });
    await u.synced(a.id);
    expect(await answersInHost()).toEqual({ [u.colleague.email]: 'ACCEPTED', 'client@customer.example': 'DECLINED' });
    expect(answersOutside()).toEqual({ [u.colleague.email]: 'accepted', 'client@customer.example': 'declined' });
    await expectQuiet(u);

    // The host moves the meeting: the new time needs new answers.
    await u.upsertFull('answers-1', { ...base, subject: 'Demo (v2)', start: inDays(7, 14).toISOString(), end: inDays(7, 15).toISOString(), attendees });
    await u.synced(a.id);
    expect(await answersInHost()).toEqual({ [u.colleague.email]: 'NEEDS_ACTION', 'client@customer.example': 'NEEDS_ACTION' });
    expect(answersOutside()).toEqual({ [u.colleague.email]: 'needsAction', 'client@customer.example': 'needsAction' });
    expect(new Set(googleSendUpdates(u))).toEqual(new Set(['all']));
    await expectQuiet(u);
  });
});

describe('Google-only kinds of events', () => {
  it('out-of-office, focus time and working location entries are never imported, and are counted as skipped', async () => {
    const u = await fieldUser('GOOGLE', 'ooo', {});
    const day = dateIn(12);
    u.provider.createRaw({ eventType: 'outOfOffice', summary: 'Vacation', start: { dateTime: `${day}T08:00:00Z` }, end: { dateTime: `${day}T17:00:00Z` }, outOfOfficeProperties: { autoDeclineMode: 'declineNone' } });
    u.provider.createRaw({ eventType: 'focusTime', summary: 'Focus', start: { dateTime: `${day}T18:00:00Z` }, end: { dateTime: `${day}T19:00:00Z` }, focusTimeProperties: {} });
    u.provider.createRaw({ eventType: 'workingLocation', start: { date: dateIn(13) }, end: { date: dateIn(14) }, visibility: 'public', transparency: 'transparent', workingLocationProperties: { type: 'homeOffice', homeOffice: {} } });
    u.provider.createRaw({ summary: 'A real meeting', start: { dateTime: `${day}T20:00:00Z` }, end: { dateTime: `${day}T21:00:00Z` } });
    const run = await u.syncNow();
    expect(run.counts.inbound).toMatchObject({ created: 1, skipped: 3 });
    expect((await u.appointments()).map((a) => a.subject)).toEqual(['A real meeting']);
    await expectQuiet(u);
  });
});
