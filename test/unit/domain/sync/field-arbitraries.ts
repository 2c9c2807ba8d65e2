import fc from 'fast-check';
import type { Attendee, EventBody, EventData, EventTiming, Reminder, Sensitivity, ShowAs } from '../../../../src/domain/appointment.js';
import type { AppointmentOrigin, ProviderSlug } from '../../../../src/domain/model.js';
import { escapeHtml } from '../../../../src/domain/sync/html-body.js';
import { PROVIDER_LIMITS, addMarker, roundReminder, type HostExtras, type ProjectionContext } from '../../../../src/domain/sync/projection.js';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings, type TenantSettingsPatch } from '../../../../src/domain/tenant-settings.js';

/**
 * Appointments with every field set, extras and tenant settings for the field round-trip property
 * tests (projection alone, and projection with each provider's mapper).
 */

export const ACCOUNT = 'me@example.com';
export const OWNER = 'usr_owner';
export const USERS = new Map([
  ['ann@example.com', 'usr_ann'],
  ['carol@example.com', 'usr_carol'],
]);
export const LINK = 'https://crm.example.com/leads/{hostRecordId}';
export const HOST_OFFSETS = [0, 5, 10, 15, 30, 60, 120, 1440];

export function ctxOf(provider: ProviderSlug, patch: TenantSettingsPatch = {}): ProjectionContext {
  return { settings: mergeTenantSettings(DEFAULT_TENANT_SETTINGS, patch), provider, hostUserIdsByEmail: USERS, accountEmail: ACCOUNT, ownerId: OWNER };
}

export const HOST: HostExtras = { resources: [], hostRecordId: null, origin: 'HOST' };

export function event(over: Partial<EventData> = {}): EventData {
  return {
    subject: 'Budget review',
    body: { contentType: 'TEXT', content: 'Agenda:\n- numbers' },
    timing: { allDay: false, start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T10:00:00.000Z', timeZone: 'Europe/Berlin' },
    location: 'HQ',
    attendees: [],
    reminders: [{ minutesBefore: 15, method: 'POPUP' }],
    recurrence: null,
    showAs: 'BUSY',
    sensitivity: 'NORMAL',
    ...over,
  };
}

export const attendee = (email: string, over: Partial<Attendee> = {}): Attendee => ({
  email,
  name: null,
  optional: false,
  resource: false,
  response: 'NEEDS_ACTION',
  hostUserId: USERS.get(email.toLowerCase()) ?? null,
  ...over,
});

// ---------------------------------------------------------------------------------------------
// Arbitraries

const PIECES = ['a', 'Z', ' ', '9', 'é', 'e\u0301', 'ß', 'שלום', 'مرحبا', '\u200f', '👋🏽', '👨‍👩‍👧', '🇨🇭', '中文', '&', '<', '>', '"', "'", ':', '[', ']', '…', '<b>', '</p>', '<br>', '&amp;'];
const word = fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }));
export const line = fc.array(word, { minLength: 1, maxLength: 12 }).map((w) => w.join('').replace(/[\r\n;]/g, ' '));
export const text = fc.array(line, { minLength: 1, maxLength: 4 }).map((l) => l.join('\n'));

const htmlBody = fc
  .array(
    fc.oneof(
      line.map((t) => `<p>${escapeHtml(t)}</p>`),
      fc.tuple(line, line).map(([a, b]) => `<p>${escapeHtml(a)} <b>${escapeHtml(b)}</b></p>`),
      line.map((t) => `<p dir="rtl">${escapeHtml(t)}</p>`),
      fc.tuple(line, fc.constantFrom('https://a.example/x', 'https://b.example/y?q=1&r=2')).map(([t, u]) => `<p><a href="${escapeHtml(u)}">${escapeHtml(t)}</a></p>`),
      fc.array(line, { minLength: 1, maxLength: 3 }).map((items) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((parts) => parts.join('\n'));

const body: fc.Arbitrary<EventBody | null> = fc.oneof(
  fc.constant(null),
  text.map((content) => ({ contentType: 'TEXT' as const, content })),
  htmlBody.map((content) => ({ contentType: 'HTML' as const, content })),
);

const ZONES = ['Europe/Berlin', 'Europe/Zurich', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
const timing: fc.Arbitrary<EventTiming> = fc.oneof(
  fc.tuple(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }), fc.integer({ min: 5, max: 600 }), fc.constantFrom(...ZONES)).map(([start, minutes, timeZone]) => ({
    allDay: false as const,
    start: new Date(start).toISOString(),
    end: new Date(start + minutes * 60_000).toISOString(),
    timeZone,
  })),
  fc.tuple(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 5 }), fc.option(fc.constantFrom(...ZONES), { nil: null })).map(([day, days, timeZone]) => ({
    allDay: true as const,
    startDate: new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10),
    endDate: new Date(Date.UTC(2026, 0, 1) + (day + days) * 86_400_000).toISOString().slice(0, 10),
    timeZone,
  })),
);

const EMAILS = ['ann@example.com', 'bob@example.org', 'carol@example.com', 'dave@example.net', ACCOUNT];
const attendees = fc.uniqueArray(
  fc.record({
    email: fc.constantFrom(...EMAILS),
    name: fc.option(line, { nil: null }),
    optional: fc.boolean(),
    response: fc.constantFrom('NEEDS_ACTION' as const, 'ACCEPTED' as const, 'TENTATIVE' as const, 'DECLINED' as const),
  }),
  { selector: (a) => a.email, maxLength: 4 },
).map((list) => list.map((a) => ({ ...a, resource: false, hostUserId: a.email === ACCOUNT ? OWNER : (USERS.get(a.email) ?? null) })));

const reminders: fc.Arbitrary<Reminder[] | null> = fc.option(
  fc.uniqueArray(fc.record({ minutesBefore: fc.integer({ min: 0, max: 40_320 }), method: fc.constantFrom('POPUP' as const, 'EMAIL' as const) }), {
    selector: (r) => `${r.method}:${r.minutesBefore}`,
    maxLength: 5,
  }),
  { nil: null },
);

export const content: fc.Arbitrary<EventData> = fc.record({
  subject: fc.option(line, { nil: null }),
  body,
  timing,
  location: fc.option(line, { nil: null }),
  attendees,
  reminders,
  recurrence: fc.constant(null),
  showAs: fc.constantFrom<ShowAs>('BUSY', 'FREE', 'TENTATIVE', 'OUT_OF_OFFICE', 'WORKING_ELSEWHERE'),
  sensitivity: fc.constantFrom<Sensitivity>('NORMAL', 'PRIVATE', 'CONFIDENTIAL'),
});

export const extras: fc.Arbitrary<HostExtras> = fc.record({
  resources: fc.uniqueArray(line, { maxLength: 3 }),
  hostRecordId: fc.option(fc.constantFrom('42', 'lead/7 ü', 'א-1'), { nil: null }),
  origin: fc.constantFrom<AppointmentOrigin>('HOST', 'MICROSOFT', 'GOOGLE'),
});

export const context: fc.Arbitrary<ProjectionContext> = fc
  .record({
    provider: fc.constantFrom<ProviderSlug>('microsoft-graph', 'google-calendar'),
    markers: fc.boolean(),
    placement: fc.constantFrom('OUTSIDE' as const, 'HOST' as const, 'BOTH' as const),
    link: fc.boolean(),
    label: fc.constantFrom('Show lead', 'Open in CRM', 'פתח ליד'),
    writeAttendees: fc.boolean(),
    offsets: fc.boolean(),
  })
  .map((c) =>
    ctxOf(c.provider, {
      titleMarkers: { enabled: c.markers, placement: c.placement },
      recordLinkTemplate: c.link ? LINK : null,
      recordLinkLabel: c.label,
      writeAttendees: c.writeAttendees,
      hostProfile: { reminderMinutes: c.offsets ? HOST_OFFSETS : [] },
    }),
  );

/** Content the provider can hold as it is: what must come back exactly. */
export function representable(x: EventData, e: HostExtras, ctx: ProjectionContext): EventData {
  const limits = PROVIDER_LIMITS[ctx.provider];
  const offsets = ctx.settings.hostProfile.reminderMinutes;
  const reminders =
    x.reminders === null
      ? // Outlook has no "calendar default" per event: null is written as its 15-minute pop-up.
        limits.defaultReminder && [{ ...limits.defaultReminder, minutesBefore: roundReminder(limits.defaultReminder.minutesBefore, offsets) }]
      : x.reminders
          .map((r) => ({ minutesBefore: offsets.length > 0 ? offsets[r.minutesBefore % offsets.length]! : r.minutesBefore, method: limits.emailReminders ? r.method : ('POPUP' as const) }))
          .filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.minutesBefore === r.minutesBefore) === i)
          .slice(0, limits.reminders);
  const segments = new Set(e.resources.map((r) => r.trim()));
  const plain = x.subject !== null && (x.subject.trim().startsWith('[') || x.subject.length > 200) ? 'Plain title' : x.subject;
  // An item from a calendar carries that calendar's marker in the host when markers show there.
  const { enabled, placement } = ctx.settings.titleMarkers;
  const marker = e.origin === 'MICROSOFT' ? '[O]' : '[G]';
  const subject = enabled && placement !== 'OUTSIDE' && e.origin !== 'HOST' ? addMarker(plain, marker) : plain;
  return {
    ...x,
    subject,
    location: x.location !== null && segments.has(x.location.trim()) ? null : x.location,
    reminders,
    showAs: limits.showAs === 'ALL' || x.showAs === 'FREE' ? x.showAs : 'BUSY',
  };
}

