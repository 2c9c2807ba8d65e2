import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFor, startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

const TAG_ID = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name SyncHubSourceId';
let env: MicrosoftTestEnv;
let graph: Client;

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  env.ms.control.createAccount({ email: 'events@contoso.onmicrosoft.com', calendars: ['Second', 'Third'] });
  ({ graph } = await graphFor(env, 'events@contoso.onmicrosoft.com'));
});
afterAll(async () => env?.close());

const timed = (subject: string, start: string, end: string, timeZone = 'UTC', extra: Record<string, unknown> = {}) => ({
  subject,
  start: { dateTime: start, timeZone },
  end: { dateTime: end, timeZone },
  ...extra,
});

describe('Graph calendars through the Graph client', () => {
  it('lists calendars with paging, the default calendar first, and refuses writes to read-only ones', async () => {
    const first = await graph.api('/me/calendars').top(2).get();
    expect(first.value.map((c: { name: string }) => c.name)).toEqual(['Calendar', 'Second']);
    expect(first['@odata.nextLink']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/me\/calendars\?/);
    const second = await graph.api(first['@odata.nextLink']).get();
    const names = second.value.map((c: { name: string }) => c.name);
    expect(names).toEqual(['Third', 'Birthdays']);
    const birthdays = second.value.find((c: { name: string }) => c.name === 'Birthdays');
    expect(birthdays).toMatchObject({ canEdit: false, isDefaultCalendar: false });
    expect((await graph.api('/me/calendar').get()).isDefaultCalendar).toBe(true);
    const error = await graph.api(`/me/calendars/${birthdays.id}/events`).post(timed('x', '2026-03-02T09:00:00', '2026-03-02T10:00:00')).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 403, code: 'ErrorAccessDenied' });
  });
});

describe('Graph events through the Graph client', () => {
  it('creates (201), reads, updates (200) and deletes (204) an event in a named calendar', async () => {
    const cal = (await graph.api('/me/calendars').get()).value.find((c: { name: string }) => c.name === 'Second');
    const created = (await graph.api(`/me/calendars/${cal.id}/events`).responseType(ResponseType.RAW).post(timed('Plan', '2026-03-02T09:00:00', '2026-03-02T10:00:00', 'W. Europe Standard Time'))) as Response;
    expect(created.status).toBe(201);
    const event = (await created.json()) as { id: string; start: unknown; originalStartTimeZone: string; changeKey: string; '@odata.etag': string };
    expect(event.start).toEqual({ dateTime: '2026-03-02T08:00:00.0000000', timeZone: 'UTC' });
    expect(event.originalStartTimeZone).toBe('W. Europe Standard Time');
    expect(event['@odata.etag']).toBe(`W/"${event.changeKey}"`);

    const updated = (await graph.api(`/me/events/${encodeURIComponent(event.id)}`).responseType(ResponseType.RAW).patch({ subject: 'Plan v2' })) as Response;
    expect(updated.status).toBe(200);
    const after = (await updated.json()) as { subject: string; changeKey: string };
    expect(after.subject).toBe('Plan v2');
    expect(after.changeKey).not.toBe(event.changeKey);
    expect((await graph.api(`/me/calendars/${cal.id}/events/${encodeURIComponent(event.id)}`).get()).subject).toBe('Plan v2');

    const deleted = (await graph.api(`/me/events/${encodeURIComponent(event.id)}`).responseType(ResponseType.RAW).delete()) as Response;
    expect(deleted.status).toBe(204);
    expect(await graph.api(`/me/events/${encodeURIComponent(event.id)}`).get().catch((e: unknown) => e)).toMatchObject({ statusCode: 404, code: 'ErrorItemNotFound' });
  });

  it('renders times in the Prefer: outlook.timezone zone (Windows or IANA) and echoes Preference-Applied', async () => {
    const event = await graph.api('/me/events').post(timed('Zones', '2026-07-01T15:00:00', '2026-07-01T16:00:00'));
    const raw = (await graph.api(`/me/events/${encodeURIComponent(event.id)}`).header('Prefer', 'outlook.timezone="Pacific Standard Time"').responseType(ResponseType.RAW).get()) as Response;
    expect(raw.headers.get('preference-applied')).toBe('outlook.timezone="Pacific Standard Time"');
    expect(((await raw.json()) as { start: unknown }).start).toEqual({ dateTime: '2026-07-01T08:00:00.0000000', timeZone: 'Pacific Standard Time' });
    const iana = await graph.api(`/me/events/${encodeURIComponent(event.id)}`).header('Prefer', 'outlook.timezone="Europe/Berlin"').get();
    expect(iana.start).toEqual({ dateTime: '2026-07-01T17:00:00.0000000', timeZone: 'Europe/Berlin' });
    const bad = await graph.api('/me/events').post(timed('x', '2026-07-01T15:00:00', '2026-07-01T16:00:00', 'Mars Standard Time')).catch((e: unknown) => e);
    expect(bad).toMatchObject({ statusCode: 400, code: 'TimeZoneNotSupportedException' });
  });

  it('keeps all-day events at midnight in their own zone whatever the Prefer zone, and rejects non-midnight all-day times', async () => {
    const allDay = await graph.api('/me/events').post({ ...timed('Holiday', '2026-03-03T00:00:00', '2026-03-04T00:00:00', 'Tokyo Standard Time'), isAllDay: true });
    const read = await graph.api(`/me/events/${encodeURIComponent(allDay.id)}`).header('Prefer', 'outlook.timezone="Pacific Standard Time"').get();
    expect(read.start).toEqual({ dateTime: '2026-03-03T00:00:00.0000000', timeZone: 'Tokyo Standard Time' });
    expect(read.end).toEqual({ dateTime: '2026-03-04T00:00:00.0000000', timeZone: 'Tokyo Standard Time' });
    const error = await graph.api('/me/events').post({ ...timed('Bad', '2026-03-03T09:00:00', '2026-03-04T00:00:00'), isAllDay: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 400, code: 'ErrorInvalidRequest' });
  });

  it('returns bodies as HTML by default and as text with Prefer: outlook.body-content-type="text"', async () => {
    const event = await graph.api('/me/events').post(timed('Body', '2026-03-05T09:00:00', '2026-03-05T10:00:00', 'UTC', { body: { contentType: 'text', content: 'Line 1\nLine <2>' } }));
    expect(event.body.contentType).toBe('html');
    expect(event.body.content).toContain('Line &lt;2&gt;');
    const text = await graph.api(`/me/events/${encodeURIComponent(event.id)}`).header('Prefer', 'outlook.body-content-type="text"').get();
    expect(text.body).toEqual({ contentType: 'text', content: 'Line 1\nLine <2>' });
  });

  it('answers 412 ErrorIrresolvableConflict when If-Match carries a stale changeKey', async () => {
    const event = await graph.api('/me/events').post(timed('Conflict', '2026-03-06T09:00:00', '2026-03-06T10:00:00'));
    await graph.api(`/me/events/${encodeURIComponent(event.id)}`).header('If-Match', event['@odata.etag']).patch({ subject: 'first' });
    const error = await graph.api(`/me/events/${encodeURIComponent(event.id)}`).header('If-Match', event['@odata.etag']).patch({ subject: 'second' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 412, code: 'ErrorIrresolvableConflict' });
    const del = await graph.api(`/me/events/${encodeURIComponent(event.id)}`).header('If-Match', event['@odata.etag']).delete().catch((e: unknown) => e);
    expect(del).toMatchObject({ statusCode: 412 });
  });

  it('returns the original event when a POST repeats a transactionId, and creates a duplicate with the switch off', async () => {
    const body = timed('Idempotent', '2026-03-09T09:00:00', '2026-03-09T10:00:00', 'UTC', { transactionId: 'map_01ABC' });
    const first = await graph.api('/me/events').post(body);
    const again = await graph.api('/me/events').post(body);
    expect(again.id).toBe(first.id);
    expect(first.transactionId).toBe('map_01ABC');
    env.ms.control.updateSettings({ transactionIdDedup: false });
    try {
      expect((await graph.api('/me/events').post(body)).id).not.toBe(first.id);
    } finally {
      env.ms.control.updateSettings({ transactionIdDedup: true });
    }
  });

  it('stores single-value extended properties without echoing them, expands them on request and filters by them', async () => {
    const tagged = await graph.api('/me/events').post(timed('Tagged', '2026-03-10T09:00:00', '2026-03-10T10:00:00', 'UTC', { singleValueExtendedProperties: [{ id: TAG_ID, value: 'h:42' }] }));
    await graph.api('/me/events').post(timed('Untagged', '2026-03-10T11:00:00', '2026-03-10T12:00:00'));
    expect(tagged.singleValueExtendedProperties).toBeUndefined();
    const expanded = await graph.api(`/me/events/${encodeURIComponent(tagged.id)}`).expand(`singleValueExtendedProperties($filter=id eq '${TAG_ID}')`).get();
    expect(expanded.singleValueExtendedProperties).toEqual([{ id: TAG_ID, value: 'h:42' }]);
    const found = await graph.api('/me/events').filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${TAG_ID}' and ep/value eq 'h:42')`).get();
    expect(found.value.map((e: { id: string }) => e.id)).toEqual([tagged.id]);
  });

  it('adds open extensions on create and through /extensions, readable with $expand', async () => {
    const event = await graph.api('/me/events').post(
      timed('Ext', '2026-03-11T09:00:00', '2026-03-11T10:00:00', 'UTC', { extensions: [{ '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'com.acme.synchub', hostId: 'apt_1' }] }),
    );
    const id = 'Microsoft.OutlookServices.OpenTypeExtension.com.acme.synchub';
    const read = await graph.api(`/me/events/${encodeURIComponent(event.id)}`).expand(`extensions($filter=id eq '${id}')`).get();
    expect(read.extensions).toEqual([expect.objectContaining({ extensionName: 'com.acme.synchub', hostId: 'apt_1', id })]);
    await graph.api(`/me/events/${encodeURIComponent(event.id)}/extensions`).post({ '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'com.acme.other', n: 1 });
    const list = await graph.api(`/me/events/${encodeURIComponent(event.id)}/extensions`).get();
    expect(list.value).toHaveLength(2);
    const byFilter = await graph.api('/me/events').filter(`Extensions/any(f: f/id eq '${id}')`).get();
    expect(byFilter.value.map((e: { id: string }) => e.id)).toContain(event.id);
  });

  it('lists masters only in /events, expands a series in calendarView and /instances, and turns occurrence edits into exceptions and deletions into gaps', async () => {
    const cal = (await graph.api('/me/calendars').get()).value.find((c: { name: string }) => c.name === 'Third');
    const series = await graph.api(`/me/calendars/${cal.id}/events`).post(
      timed('Standup', '2026-04-06T09:00:00', '2026-04-06T09:15:00', 'W. Europe Standard Time', {
        recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'], firstDayOfWeek: 'monday' }, range: { type: 'numbered', startDate: '2026-04-06', numberOfOccurrences: 4 } },
      }),
    );
    expect(series.type).toBe('seriesMaster');
    const masters = await graph.api(`/me/calendars/${cal.id}/events`).get();
    expect(masters.value.map((e: { type: string }) => e.type)).toEqual(['seriesMaster']);

    const window = { startDateTime: '2026-04-01T00:00:00Z', endDateTime: '2026-05-01T00:00:00Z' };
    const view = await graph.api(`/me/calendars/${cal.id}/calendarView`).query(window).get();
    expect(view.value.map((e: { start: { dateTime: string } }) => e.start.dateTime)).toEqual([
      '2026-04-06T07:00:00.0000000',
      '2026-04-08T07:00:00.0000000',
      '2026-04-13T07:00:00.0000000',
      '2026-04-15T07:00:00.0000000',
    ]);
    expect(view.value.every((e: { type: string; seriesMasterId: string }) => e.type === 'occurrence' && e.seriesMasterId === series.id)).toBe(true);

    const [, second, third] = view.value;
    const exception = await graph.api(`/me/events/${encodeURIComponent(second.id)}`).patch({ subject: 'Standup (moved)', start: { dateTime: '2026-04-08T11:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-04-08T11:15:00', timeZone: 'UTC' } });
    expect(exception).toMatchObject({ type: 'exception', subject: 'Standup (moved)', originalStart: '2026-04-08T07:00:00Z' });
    await graph.api(`/me/events/${encodeURIComponent(third.id)}`).delete();

    const instances = await graph.api(`/me/events/${encodeURIComponent(series.id)}/instances`).query(window).get();
    expect(instances.value.map((e: { type: string; start: { dateTime: string } }) => `${e.type}@${e.start.dateTime}`)).toEqual([
      'occurrence@2026-04-06T07:00:00.0000000',
      'exception@2026-04-08T11:00:00.0000000',
      'occurrence@2026-04-15T07:00:00.0000000',
    ]);
    expect(await graph.api(`/me/events/${encodeURIComponent(third.id)}`).get().catch((e: unknown) => e)).toMatchObject({ statusCode: 404 });
  });

  it('answers malformed input with Graph 400s, not crashes', async () => {
    expect(await graph.api('/me/events/not-an-id').get().catch((e: unknown) => e)).toMatchObject({ statusCode: 400, code: 'ErrorInvalidIdMalformed' });
    expect(await graph.api('/me/events').post({ ...timed('x', '2026-03-02T09:00:00', '2026-03-02T10:00:00'), colour: 'red' }).catch((e: unknown) => e)).toMatchObject({
      statusCode: 400,
      code: 'RequestBodyRead',
    });
    expect(await graph.api('/me/calendarView').get().catch((e: unknown) => e)).toMatchObject({ statusCode: 400, code: 'ErrorInvalidParameter' });
    expect(await graph.api('/me/events').filter("subject wat 'x'").get().catch((e: unknown) => e)).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect(await graph.api('/me/nonsense').get().catch((e: unknown) => e)).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    const recurrenceMismatch = await graph
      .api('/me/events')
      .post(timed('r', '2026-03-02T09:00:00', '2026-03-02T10:00:00', 'UTC', { recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd', startDate: '2026-03-03' } } }))
      .catch((e: unknown) => e);
    expect(recurrenceMismatch).toMatchObject({ statusCode: 400, code: 'ErrorInvalidRequest' });
  });
});
