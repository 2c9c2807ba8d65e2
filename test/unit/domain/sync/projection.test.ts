import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventTiming } from '../../../../src/domain/appointment.js';
import { contentHash } from '../../../../src/domain/sync/content.js';
import {
  cutText,
  hostHash,
  mergeIntoHost,
  organizerOf,
  providerHash,
  roundReminder,
  roundTrip,
  sameContent,
  toHostContent,
  toProviderData,
  type HostExtras,
} from '../../../../src/domain/sync/projection.js';
import { ACCOUNT, HOST, HOST_OFFSETS, LINK, OWNER, attendee, content, context, ctxOf, event, extras, representable } from './field-arbitraries.js';

const RUNS = { numRuns: 200 };

describe('projection: every field survives the round trip', () => {
  it('toHostContent(toProviderData(x)) ≈ x for every x (≈: equal hostHash)', () => {
    fc.assert(
      fc.property(content, extras, context, (x, e, ctx) => {
        expect(hostHash(roundTrip(x, e, ctx), e, ctx)).toBe(hostHash(x, e, ctx));
      }),
      RUNS,
    );
  });

  it('content the provider can hold comes back equal field by field', () => {
    fc.assert(
      fc.property(content, extras, context, (raw, e, ctx) => {
        const x = representable(raw, e, ctx);
        const opts = { attendees: ctx.settings.writeAttendees };
        expect(contentHash(roundTrip(x, e, ctx), opts)).toBe(contentHash(x, opts));
        expect(sameContent(x, e, toProviderData(x, e, ctx).data, ctx)).toBe(true);
        expect(toProviderData(x, e, ctx).notices).toEqual([]);
      }),
      RUNS,
    );
  });

  it('an echo of the hub’s own write changes nothing in the host, even what the provider cannot hold', () => {
    fc.assert(
      fc.property(content, extras, context, (x, e, ctx) => {
        const written = toProviderData(x, e, ctx);
        // Attendees a write leaves alone are, outside, what they were: the host's list.
        const echo = written.attendees === 'KEEP' ? { ...written.data, attendees: x.attendees } : written.data;
        expect(mergeIntoHost(x, e, echo, ctx)).toEqual(x);
        expect(providerHash(echo, e, ctx)).toBe(providerHash(echo, e, ctx));
      }),
      RUNS,
    );
  });

  it('markers are never doubled, however often an item goes round', () => {
    fc.assert(
      fc.property(content, extras, context, (x, e, ctx) => {
        const once = toProviderData(x, e, ctx).data.subject?.trim() || null;
        const twice = toProviderData(roundTrip(roundTrip(x, e, ctx), e, ctx), e, ctx).data.subject?.trim() || null;
        expect(twice).toBe(once);
      }),
      RUNS,
    );
  });
});

describe('projection: origin markers', () => {
  const on = (placement: 'OUTSIDE' | 'HOST' | 'BOTH') => ({ titleMarkers: { enabled: true, placement } });

  it('shows the host marker outside on host items and strips it on the way back', () => {
    const ctx = ctxOf('microsoft-graph', on('OUTSIDE'));
    expect(toProviderData(event(), HOST, ctx).data.subject).toBe('[S] Budget review');
    expect(toHostContent(event({ subject: '[S] Budget review' }), ctx, HOST).subject).toBe('Budget review');
    // A title the user edited in Outlook without the marker comes back as it is.
    expect(toHostContent(event({ subject: 'Budget' }), ctx, HOST).subject).toBe('Budget');
    // Items made in this calendar carry no marker outside.
    expect(toProviderData(event(), { ...HOST, origin: 'MICROSOFT' }, ctx).data.subject).toBe('Budget review');
  });

  it('shows the calendar marker in the host on items from a calendar, and never writes it outside', () => {
    const ctx = ctxOf('google-calendar', on('HOST'));
    const imported = toHostContent(event({ subject: 'Lunch' }), ctx);
    expect(imported.subject).toBe('[G] Lunch');
    const extras: HostExtras = { ...HOST, origin: 'GOOGLE' };
    expect(toProviderData(imported, extras, ctx).data.subject).toBe('Lunch');
    expect(toProviderData(event(), HOST, ctx).data.subject).toBe('Budget review');
  });

  it('marks both sides with BOTH, and an item from the other calendar with its own marker', () => {
    const ctx = ctxOf('microsoft-graph', on('BOTH'));
    const fromGoogle: HostExtras = { ...HOST, origin: 'GOOGLE' };
    expect(toProviderData(event({ subject: '[G] Lunch' }), fromGoogle, ctx).data.subject).toBe('[G] Lunch');
    expect(toHostContent(event({ subject: '[G] Lunch' }), ctx, fromGoogle).subject).toBe('[G] Lunch');
    expect(toProviderData(event({ subject: null }), HOST, ctx).data.subject).toBe('[S]');
    expect(toHostContent(event({ subject: '[S]' }), ctx, HOST).subject).toBeNull();
  });

  it('leaves titles alone when markers are off', () => {
    const ctx = ctxOf('microsoft-graph');
    expect(toProviderData(event({ subject: '[S] x' }), HOST, ctx).data.subject).toBe('[S] x');
    expect(toHostContent(event({ subject: '[S] x' }), ctx, HOST).subject).toBe('[S] x');
  });
});

describe('projection: record link', () => {
  const ctx = ctxOf('microsoft-graph', { recordLinkTemplate: LINK, recordLinkLabel: 'Show lead' });
  const lead: HostExtras = { ...HOST, hostRecordId: 'lead 7' };
  const url = 'https://crm.example.com/leads/lead%207';

  it('adds the link to a text body, an HTML body and an empty body', () => {
    expect(toProviderData(event(), lead, ctx).data.body).toEqual({ contentType: 'TEXT', content: `Agenda:\n- numbers\n\nShow lead: ${url}` });
    expect(toProviderData(event({ body: { contentType: 'HTML', content: '<p>Hi</p>' } }), lead, ctx).data.body).toEqual({
      contentType: 'HTML',
      content: `<p>Hi</p><p><a href="${url}">Show lead</a></p>`,
    });
    expect(toProviderData(event({ body: null }), lead, ctx).data.body).toEqual({ contentType: 'TEXT', content: `Show lead: ${url}` });
    expect(toProviderData(event(), HOST, ctx).data.body).toEqual(event().body);
  });

  it('removes it on the way back, also from a body Outlook rewrapped or turned into HTML', () => {
    const wrapped = `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n<style>p{margin:0}</style></head>\r\n<body>\r\n<div class="x_elementToProof" style="font-family:Calibri"><p>Hi</p><p><a href="${url}" data-auth="NotApplicable">Show lead</a></p></div>\r\n</body>\r\n</html>\r\n`;
    expect(toHostContent(event({ body: { contentType: 'HTML', content: wrapped } }), ctx, lead).body).toEqual({ contentType: 'HTML', content: '<div><p>Hi</p></div>' });
    const outlookHtml = `<div>Agenda:</div><div>- numbers</div><div><br></div><div>Show lead: <a href="${url}">${url}</a></div>`;
    expect(toHostContent(event({ body: { contentType: 'HTML', content: outlookHtml } }), ctx, lead).body).toEqual({ contentType: 'HTML', content: '<div>Agenda:</div><div>- numbers</div><div><br></div>' });
    expect(toHostContent(event({ body: { contentType: 'TEXT', content: `Show lead: ${url}` } }), ctx, lead).body).toBeNull();
    // The label may have changed since: the link is known by its target.
    expect(toHostContent(event({ body: { contentType: 'TEXT', content: `Notes\n\nOpen in CRM: ${url}` } }), ctx, lead).body).toEqual({ contentType: 'TEXT', content: 'Notes' });
  });
});

describe('projection: resources in the location', () => {
  const ctx = ctxOf('google-calendar');
  const rooms: HostExtras = { ...HOST, resources: ['Room 4.12', 'Beamer'] };

  it('joins the resources after the location and strips them again', () => {
    expect(toProviderData(event(), rooms, ctx).data.location).toBe('HQ; Room 4.12; Beamer');
    expect(toProviderData(event({ location: null }), rooms, ctx).data.location).toBe('Room 4.12; Beamer');
    expect(toHostContent(event({ location: 'HQ; Room 4.12; Beamer' }), ctx, rooms).location).toBe('HQ');
    expect(toHostContent(event({ location: 'Room 4.12; Beamer' }), ctx, rooms).location).toBeNull();
    expect(toHostContent(event({ location: 'Elsewhere' }), ctx, rooms).location).toBe('Elsewhere');
  });

  it('never doubles a resource the location already names', () => {
    expect(toProviderData(event({ location: 'HQ; Beamer' }), rooms, ctx).data.location).toBe('HQ; Beamer; Room 4.12');
  });
});

describe('projection: reminders', () => {
  it('writes one pop-up to Outlook (the earliest) and tells what was dropped', () => {
    const w = toProviderData(event({ reminders: [{ minutesBefore: 10, method: 'POPUP' }, { minutesBefore: 60, method: 'EMAIL' }] }), HOST, ctxOf('microsoft-graph'));
    expect(w.data.reminders).toEqual([{ minutesBefore: 60, method: 'POPUP' }]);
    expect(w.notices).toEqual([{ code: 'REMINDERS_DROPPED', kept: [60], dropped: [10] }]);
  });

  it('writes at most five to Google, the nearest ones', () => {
    const many = [0, 5, 10, 15, 30, 60].map((minutesBefore) => ({ minutesBefore, method: 'POPUP' as const }));
    const w = toProviderData(event({ reminders: many }), HOST, ctxOf('google-calendar'));
    expect(w.data.reminders!.map((r) => r.minutesBefore)).toEqual([0, 5, 10, 15, 30]);
    expect(w.notices).toEqual([{ code: 'REMINDERS_DROPPED', kept: [0, 5, 10, 15, 30], dropped: [60] }]);
  });

  it('keeps null (the calendar default) and none; Outlook, which has no per-event default, gets its 15-minute pop-up', () => {
    expect(toProviderData(event({ reminders: null }), HOST, ctxOf('google-calendar')).data.reminders).toBeNull();
    expect(toProviderData(event({ reminders: null }), HOST, ctxOf('microsoft-graph')).data.reminders).toEqual([{ minutesBefore: 15, method: 'POPUP' }]);
    // It reads back as no change: the host keeps null.
    const ctx = ctxOf('microsoft-graph');
    const echo = toProviderData(event({ reminders: null }), HOST, ctx).data;
    expect(mergeIntoHost(event({ reminders: null }), HOST, echo, ctx).reminders).toBeNull();
    expect(sameContent(event({ reminders: null }), HOST, echo, ctx)).toBe(true);
    expect(mergeIntoHost(event({ reminders: null }), HOST, { ...echo, reminders: [{ minutesBefore: 30, method: 'POPUP' }] }, ctx).reminders).toEqual([{ minutesBefore: 30, method: 'POPUP' }]);
    expect(toProviderData(event({ reminders: [] }), HOST, ctxOf('google-calendar')).data.reminders).toEqual([]);
    expect(toHostContent(event({ reminders: null }), ctxOf('google-calendar')).reminders).toBeNull();
  });

  it('rounds reminders from a calendar to the nearest offset the host supports', () => {
    const ctx = ctxOf('google-calendar', { hostProfile: { reminderMinutes: HOST_OFFSETS } });
    const read = toHostContent(event({ reminders: [{ minutesBefore: 20, method: 'POPUP' }, { minutesBefore: 22, method: 'POPUP' }, { minutesBefore: 7, method: 'EMAIL' }, { minutesBefore: 99_999, method: 'POPUP' }] }), ctx);
    expect(read.reminders).toEqual([
      { minutesBefore: 5, method: 'EMAIL' },
      { minutesBefore: 15, method: 'POPUP' },
      { minutesBefore: 1440, method: 'POPUP' },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_320 }), (m) => {
        const r = roundReminder(m, HOST_OFFSETS);
        expect(HOST_OFFSETS).toContain(r);
        for (const o of HOST_OFFSETS) expect(Math.abs(o - m)).toBeGreaterThanOrEqual(Math.abs(r - m));
      }),
    );
  });

  it('keeps the host’s reminders when the calendar holds what the hub wrote', () => {
    const ctx = ctxOf('microsoft-graph');
    const host = event({ reminders: [{ minutesBefore: 10, method: 'EMAIL' }, { minutesBefore: 60, method: 'POPUP' }] });
    const outside = toProviderData(host, HOST, ctx).data;
    expect(mergeIntoHost(host, HOST, { ...outside, subject: 'Renamed in Outlook' }, ctx)).toEqual({ ...host, subject: 'Renamed in Outlook' });
    expect(mergeIntoHost(host, HOST, { ...outside, reminders: [{ minutesBefore: 5, method: 'POPUP' }] }, ctx).reminders).toEqual([{ minutesBefore: 5, method: 'POPUP' }]);
  });
});

describe('projection: limits', () => {
  it('cuts an Outlook title at 255 characters without splitting a character, and says so', () => {
    const long = `${'a'.repeat(252)}👨‍👩‍👧 end`;
    const w = toProviderData(event({ subject: long }), HOST, ctxOf('microsoft-graph'));
    expect(w.data.subject).toBe(`${'a'.repeat(252)}…`);
    expect(w.notices).toEqual([{ code: 'FIELD_TRUNCATED', field: 'subject', limit: 255, length: long.length }]);
    expect(cutText('e\u0301e\u0301', 3)).toBe('e\u0301');
  });

  it('cuts a Google description at 8192 characters, keeps the record link, and the host keeps the whole body', () => {
    const ctx = ctxOf('google-calendar', { recordLinkTemplate: LINK });
    const lead: HostExtras = { ...HOST, hostRecordId: '7' };
    const long = event({ body: { contentType: 'HTML', content: `<p dir="rtl">${'שלום 👋🏽 '.repeat(2_000)}</p>` } });
    const w = toProviderData(long, lead, ctx);
    expect(w.data.body!.contentType).toBe('TEXT');
    expect(w.data.body!.content.length).toBeLessThanOrEqual(8_192);
    expect(w.data.body!.content.endsWith('Open in CRM: https://crm.example.com/leads/7')).toBe(true);
    expect(w.notices).toEqual([expect.objectContaining({ code: 'FIELD_TRUNCATED', field: 'body', limit: 8_192 })]);
    expect(mergeIntoHost(long, lead, w.data, ctx).body).toEqual(long.body);
  });
});

describe('projection: attendees', () => {
  const guests = [attendee('ann@example.com'), attendee('zoe@example.org', { name: 'Zoë' })];

  it('matches attendees to host users by email, case-insensitively, and the account to the owner', () => {
    const read = toHostContent(event({ attendees: [attendee('ANN@example.com', { hostUserId: null }), attendee('zoe@example.org'), attendee('Me@Example.com', { response: 'ACCEPTED' })] }), ctxOf('microsoft-graph'));
    expect(read.attendees.map((a) => [a.email, a.hostUserId])).toEqual([
      ['ann@example.com', 'usr_ann'],
      ['zoe@example.org', null],
      ['me@example.com', OWNER],
    ]);
  });

  it('drops the account’s own organizer entry and keeps another organizer (an invitation)', () => {
    const ctx = ctxOf('google-calendar');
    const own = toHostContent(event({ attendees: [attendee(ACCOUNT, { response: 'ORGANIZER' }), ...guests] }), ctx);
    expect(organizerOf(own.attendees, OWNER)).toBeNull();
    const invited = toHostContent(event({ attendees: [attendee('ANN@example.com', { response: 'ORGANIZER' }), attendee(ACCOUNT, { response: 'TENTATIVE' })] }), ctx);
    // Shown as the owner attending a colleague's meeting: organizer set, the owner's answer in its own entry.
    expect(organizerOf(invited.attendees, OWNER)).toEqual(attendee('ann@example.com', { response: 'ORGANIZER', hostUserId: 'usr_ann' }));
    expect(invited.attendees[1]).toEqual(attendee(ACCOUNT, { response: 'TENTATIVE', hostUserId: OWNER }));
    expect(toHostContent(event({ attendees: [attendee(ACCOUNT, { response: 'ORGANIZER' }), ...guests] }), ctx).attendees.map((a) => a.email)).toEqual(['ann@example.com', 'zoe@example.org']);
    const invitation = toHostContent(event({ attendees: [attendee('boss@example.org', { response: 'ORGANIZER' }), attendee(ACCOUNT, { response: 'ACCEPTED' })] }), ctx);
    expect(invitation.attendees).toEqual([attendee('boss@example.org', { response: 'ORGANIZER' }), attendee(ACCOUNT, { response: 'ACCEPTED', hostUserId: OWNER })]);
  });

  it('never writes attendees unless the tenant says so, and never the list of an invitation', () => {
    expect(toProviderData(event({ attendees: guests }), HOST, ctxOf('microsoft-graph'))).toMatchObject({ attendees: 'KEEP', data: { attendees: [] } });
    const on = ctxOf('microsoft-graph', { writeAttendees: true });
    expect(toProviderData(event({ attendees: guests }), HOST, on)).toMatchObject({ attendees: 'WRITE', data: { attendees: guests.map((a) => ({ ...a, hostUserId: null })) } });
    expect(toProviderData(event({ attendees: [attendee('boss@example.org', { response: 'ORGANIZER' }), ...guests] }), HOST, on).attendees).toBe('KEEP');
  });

  it('without writeAttendees: host items keep their list and gain the calendar’s, calendar items take the calendar’s', () => {
    const ctx = ctxOf('microsoft-graph');
    const outside = event({ attendees: [attendee('dave@example.net', { response: 'ACCEPTED' }), attendee('ANN@Example.com', { response: 'DECLINED' })] });
    expect(mergeIntoHost(event({ attendees: guests }), HOST, outside, ctx).attendees).toEqual([
      { ...guests[0]!, response: 'DECLINED' },
      guests[1],
      attendee('dave@example.net', { response: 'ACCEPTED' }),
    ]);
    expect(mergeIntoHost(event({ attendees: guests }), { ...HOST, origin: 'MICROSOFT' }, outside, ctx).attendees).toEqual(toHostContent(outside, ctx).attendees);
  });

  it('with writeAttendees: the answers come from the calendar, the list from the side that changed it', () => {
    const ctx = ctxOf('google-calendar', { writeAttendees: true });
    const host = event({ attendees: guests });
    const answered = event({ attendees: guests.map((a) => ({ ...a, response: 'ACCEPTED' as const, hostUserId: null })) });
    expect(mergeIntoHost(host, HOST, answered, ctx).attendees).toEqual(guests.map((a) => ({ ...a, response: 'ACCEPTED' })));
    expect(providerHash(answered, HOST, ctx)).not.toBe(providerHash(toProviderData(host, HOST, ctx).data, HOST, ctx));
    expect(hostHash(host, HOST, ctx)).toBe(hostHash({ ...host, attendees: answered.attendees }, HOST, ctx));
    const reduced = event({ attendees: [guests[1]!] });
    expect(mergeIntoHost(host, HOST, reduced, ctx).attendees).toEqual([guests[1]]);
  });
});

describe('projection: show-as, privacy and zones', () => {
  it('writes what Google can hold of show-as and keeps the host’s value while Google shows it', () => {
    const ctx = ctxOf('google-calendar');
    const host = event({ showAs: 'OUT_OF_OFFICE', sensitivity: 'PRIVATE' });
    const w = toProviderData(host, HOST, ctx).data;
    expect(w).toMatchObject({ showAs: 'BUSY', sensitivity: 'PRIVATE' });
    expect(mergeIntoHost(host, HOST, w, ctx)).toEqual(host);
    expect(mergeIntoHost(host, HOST, { ...w, showAs: 'FREE' }, ctx).showAs).toBe('FREE');
    expect(toProviderData(host, HOST, ctxOf('microsoft-graph')).data.showAs).toBe('OUT_OF_OFFICE');
  });

  it('reads two names of one zone, and an all-day event in any zone, as the same time', () => {
    const ctx = ctxOf('microsoft-graph');
    const zurich = event({ timing: { allDay: false, start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T10:00:00.000Z', timeZone: 'Europe/Zurich' } });
    expect(sameContent(zurich, HOST, { ...zurich, timing: { ...zurich.timing, timeZone: 'Europe/Berlin' } as EventTiming }, ctx)).toBe(true);
    expect(sameContent(zurich, HOST, { ...zurich, timing: { ...zurich.timing, timeZone: 'Europe/London' } as EventTiming }, ctx)).toBe(false);
    const floating = event({ timing: { allDay: true, startDate: '2026-03-03', endDate: '2026-03-04', timeZone: null } });
    expect(sameContent(floating, HOST, event({ timing: { allDay: true, startDate: '2026-03-03', endDate: '2026-03-04', timeZone: 'UTC' } }), ctx)).toBe(true);
    expect(mergeIntoHost(floating, HOST, event({ timing: { allDay: true, startDate: '2026-03-03', endDate: '2026-03-04', timeZone: 'UTC' } }), ctx).timing).toEqual(floating.timing);
  });
});
