import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { EventData } from '../../../src/domain/appointment.js';
import { contentHash } from '../../../src/domain/sync/content.js';
import { escapeHtml } from '../../../src/domain/sync/html-body.js';
import { hostHash, mergeIntoHost, toHostContent, toProviderData, type HostExtras, type ProjectionContext } from '../../../src/domain/sync/projection.js';
import { asProviderCalendarId } from '../../../src/providers/calendar-provider.js';
import { toExternalEvent, toGoogleInsert } from '../../../src/providers/google-calendar/google-calendar.mapper.js';
import { instantOfDateTimeTimeZone, toEventData, toGraphEventWrite } from '../../../src/providers/microsoft-graph/microsoft-graph.mapper.js';
import type { GraphDateTimeTimeZone, GraphEvent, GraphEventWrite } from '../../../src/providers/microsoft-graph/microsoft-graph.types.js';
import { content, context, extras, representable } from '../domain/sync/field-arbitraries.js';

/**
 * The whole way of a field, without the network: host content → projection → the provider's
 * mapper → what the provider stores and answers → the mapper → projection → host content. The e2e
 * suite (test/e2e/sync/field-roundtrip.test.ts) walks the same way through the emulators.
 */

/** What Graph answers for a body it was given: HTML wrapped in its document, text rendered as PlainText HTML (docs/providers.md#graph-event-bodies). */
function graphBody(body: GraphEventWrite['body']): GraphEvent['body'] {
  const doc = (inner: string) => `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${inner}\r\n</body>\r\n</html>\r\n`;
  if (body.contentType === 'html') return { contentType: 'html', content: doc(body.content) };
  return { contentType: 'html', content: doc(`<div class="PlainText">${body.content.split(/\r?\n/).map(escapeHtml).join('<br>\r\n')}</div>`) };
}

/** `Prefer: outlook.timezone="UTC"`: timed values in UTC, all-day ones as written. */
function graphTime(dtz: GraphDateTimeTimeZone, allDay: boolean): GraphDateTimeTimeZone {
  if (allDay) return dtz;
  const instant = instantOfDateTimeTimeZone(dtz)!;
  return { dateTime: `${DateTime.fromISO(instant, { zone: 'utc' }).toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS")}0000`, timeZone: 'UTC' };
}

function throughGraph(data: EventData, attendees: 'WRITE' | 'KEEP', held: EventData['attendees']): EventData {
  const result = toGraphEventWrite(data, { zoneNames: 'iana', attendees });
  if (!result.ok) throw new Error(result.reason);
  const w = result.event;
  const written = w.attendees ?? held.map((a) => ({ type: a.resource ? ('resource' as const) : a.optional ? ('optional' as const) : ('required' as const), emailAddress: { address: a.email, ...(a.name ? { name: a.name } : {}) } }));
  const answer: GraphEvent = {
    id: 'AAMkAGI2',
    changeKey: 'ck',
    type: 'singleInstance',
    subject: w.subject,
    body: graphBody(w.body),
    start: graphTime(w.start, w.isAllDay),
    end: graphTime(w.end, w.isAllDay),
    originalStartTimeZone: w.start.timeZone,
    isAllDay: w.isAllDay,
    location: w.location,
    attendees: written.map((a) => ({ type: a.type, emailAddress: { address: a.emailAddress.address, name: a.emailAddress.name ?? a.emailAddress.address }, status: { response: 'none' } })),
    isReminderOn: w.isReminderOn ?? true,
    reminderMinutesBeforeStart: w.reminderMinutesBeforeStart ?? 15,
    showAs: w.showAs,
    sensitivity: w.sensitivity,
    isOrganizer: true,
  };
  return toEventData(answer).data;
}

function throughGoogle(data: EventData, attendees: 'WRITE' | 'KEEP', held: EventData['attendees']): EventData {
  const body = toGoogleInsert(data, { id: 'abcde12345', hubTag: 'map_1', attendees });
  const stored = attendees === 'KEEP' ? { ...body, attendees: held.map((a) => ({ email: a.email, ...(a.name ? { displayName: a.name } : {}), responseStatus: 'needsAction' })) } : body;
  return toExternalEvent({ ...stored, etag: '"1"', status: 'confirmed' }, { calendarId: asProviderCalendarId('primary'), calendarTimeZone: 'Europe/Berlin' }).data;
}

/** Host content → the provider → host content. */
function viaProvider(x: EventData, e: HostExtras, ctx: ProjectionContext): EventData {
  const written = toProviderData(x, e, ctx);
  const read = (ctx.provider === 'microsoft-graph' ? throughGraph : throughGoogle)(written.data, written.attendees, x.attendees);
  return toHostContent(read, ctx, e);
}

describe('field round trip through each provider’s mapper', () => {
  it('content the provider can hold comes back equal field by field', () => {
    fc.assert(
      fc.property(content, extras, context, (raw, e, ctx) => {
        const x = representable(raw, e, ctx);
        const back = viaProvider(x, e, ctx);
        const opts = { attendees: ctx.settings.writeAttendees };
        // Graph answers a default reminder for "calendar default"; the host keeps null (merge below).
        const expected = ctx.provider === 'microsoft-graph' && x.reminders === null ? { ...x, reminders: back.reminders } : x;
        expect(contentHash(back, opts)).toBe(contentHash(expected, opts));
      }),
      { numRuns: 150 },
    );
  });

  it('reading back the hub’s own write never changes the host or its hash', () => {
    fc.assert(
      fc.property(content, extras, context, (x, e, ctx) => {
        const written = toProviderData(x, e, ctx);
        const read = (ctx.provider === 'microsoft-graph' ? throughGraph : throughGoogle)(written.data, written.attendees, x.attendees);
        const merged = mergeIntoHost(x, e, read, ctx);
        // Outlook shows its default reminder where the host asked for the calendar's default (null).
        const expected = ctx.provider === 'microsoft-graph' && x.reminders === null ? { ...x, reminders: merged.reminders } : x;
        expect(hostHash(merged, e, ctx)).toBe(hostHash(expected, e, ctx));
      }),
      { numRuns: 150 },
    );
  });
});
