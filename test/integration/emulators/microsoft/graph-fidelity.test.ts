import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFor, startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

/**
 * The Graph emulator's answers checked against Microsoft Graph v1.0 as documented: the v1.0 event
 * resource, its documented example payloads, JSON batching, throttling and delta query. Each test
 * names the page it holds the emulator to.
 */

let env: MicrosoftTestEnv;
let graph: Client;
const ACCOUNT = 'fidelity@contoso.onmicrosoft.com';
const WINDOW = { startDateTime: '2026-04-01T00:00:00Z', endDateTime: '2026-05-01T00:00:00Z' };
const TAG_ID = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name SyncHubSourceId';

interface GraphItem {
  id: string;
  type?: string;
  seriesMasterId?: string | null;
  start?: { dateTime: string };
  '@odata.type'?: string;
  '@removed'?: unknown;
  [key: string]: unknown;
}

const timed = (subject: string, start: string, end: string, timeZone = 'UTC', extra: Record<string, unknown> = {}) => ({
  subject,
  start: { dateTime: start, timeZone },
  end: { dateTime: end, timeZone },
  ...extra,
});
const enc = encodeURIComponent;

/** A daily series of `count` occurrences starting on `date` at `time` in `timeZone`. */
const daily = (subject: string, date: string, time: string, timeZone: string, count: number) =>
  timed(subject, `${date}T${time}:00`, `${date}T${time.slice(0, 2)}:30:00`, timeZone, {
    recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', startDate: date, numberOfOccurrences: count } },
  });

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  env.ms.control.createAccount({ email: ACCOUNT, calendars: ['Other'] });
  ({ graph } = await graphFor(env, ACCOUNT));
});
afterAll(async () => env?.close());

describe('Graph v1.0 events as documented', () => {
  // https://learn.microsoft.com/graph/api/resources/event?view=graph-rest-1.0 — the v1.0 event has no
  // `uid` and no `occurrenceId` (both are beta properties).
  it('never sends the beta-only uid and occurrenceId, and refuses them in a v1.0 body', async () => {
    const single = await graph.api('/me/events').post(timed('Single', '2026-04-02T09:00:00', '2026-04-02T10:00:00'));
    const series = await graph.api('/me/events').post(daily('Series', '2026-04-06', '09:00', 'UTC', 3));
    const view = (await graph.api('/me/calendarView').query(WINDOW).get()).value as GraphItem[];
    const delta = (await graph.api('/me/calendarView/delta').query(WINDOW).get()).value as GraphItem[];
    const everything = [single, series, await graph.api(`/me/events/${enc(series.id)}`).get(), ...view, ...delta] as GraphItem[];
    expect(view.some((e) => e.type === 'occurrence')).toBe(true);
    for (const item of everything) {
      expect(item).not.toHaveProperty('uid');
      expect(item).not.toHaveProperty('occurrenceId');
    }
    for (const property of ['uid', 'occurrenceId']) {
      const refused = await graph.api('/me/events').post({ ...timed('x', '2026-04-02T11:00:00', '2026-04-02T12:00:00'), [property]: 'x' }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ statusCode: 400, code: 'RequestBodyRead' });
    }
  });

  // Real occurrence ids are opaque base64 strings with `=` padding only at the end (e.g. the
  // exceptionOccurrences ids of https://learn.microsoft.com/graph/api/event-list-instances?view=graph-rest-1.0).
  it('gives occurrences and exceptions opaque ids that it still resolves, the same id on every read', async () => {
    const master = await graph.api('/me/events').post(daily('Opaque', '2026-04-13', '07:00', 'W. Europe Standard Time', 3));
    const read = async () => ((await graph.api(`/me/events/${enc(master.id)}/instances`).query(WINDOW).get()).value as GraphItem[]).map((e) => e.id);
    const ids = await read();
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(await read()).toEqual(ids);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
      expect(id).not.toContain(master.id.replace(/=+$/, ''));
    }
    const [first, second, third] = ids as [string, string, string];
    expect(await graph.api(`/me/events/${enc(first)}`).get()).toMatchObject({ id: first, type: 'occurrence', seriesMasterId: master.id });
    const exception = await graph.api(`/me/events/${enc(second)}`).patch({ subject: 'Moved' });
    expect(exception).toMatchObject({ id: second, type: 'exception', seriesMasterId: master.id });
    await graph.api(`/me/events/${enc(third)}`).delete();
    expect(await read()).toEqual([first, second]);
    expect(await graph.api(`/me/events/${enc(third)}`).get().catch((e: unknown) => e)).toMatchObject({ statusCode: 404 });
    expect(await graph.api(`/me/events/${enc(`${first.slice(0, -6)}AAAAAA`)}`).get().catch((e: unknown) => e)).toMatchObject({ statusCode: 400, code: 'ErrorInvalidIdMalformed' });
  });

  // https://learn.microsoft.com/graph/api/resources/event?view=graph-rest-1.0 — cancelledOccurrences:
  // "Contains occurrenceId property values of canceled instances in a recurring series, if the event
  // is the series master … Returned only on $select in a Get operation which specifies the ID
  // (seriesMasterId property value) of a series master event". Values are `OID.{seriesMasterId}.{yyyy-MM-dd}`
  // (the v1.0 example of https://martin-machacek.com/blogPost/8a742689-11c8-465d-ae65-c9c92ada8c5c).
  it('serves cancelledOccurrences on a $select GET of the master, dated in the recurrence time zone', async () => {
    // 08:00 in Tokyo is 23:00 UTC the day before: the date must be Tokyo's.
    const master = await graph.api('/me/events').post(daily('Tokyo mornings', '2026-04-20', '08:00', 'Tokyo Standard Time', 4));
    const instances = (await graph.api(`/me/events/${enc(master.id)}/instances`).query(WINDOW).get()).value as GraphItem[];
    expect(instances.map((e) => e.start?.dateTime)).toEqual(['2026-04-19T23:00:00.0000000', '2026-04-20T23:00:00.0000000', '2026-04-21T23:00:00.0000000', '2026-04-22T23:00:00.0000000']);
    await graph.api(`/me/events/${enc(instances[2]!.id)}`).delete();
    env.ms.control.deleteEvent(ACCOUNT, instances[0]!.id);

    const selected = await graph.api(`/me/events/${enc(master.id)}`).select('subject,cancelledOccurrences').get();
    expect(selected.cancelledOccurrences).toEqual([`OID.${master.id}.2026-04-20`, `OID.${master.id}.2026-04-22`]);
    expect(await graph.api(`/me/events/${enc(master.id)}`).get()).not.toHaveProperty('cancelledOccurrences');
    const listed = (await graph.api('/me/events').select('subject,cancelledOccurrences').get()).value as GraphItem[];
    expect(listed.find((e) => e.id === master.id)).not.toHaveProperty('cancelledOccurrences');
    const single = await graph.api('/me/events').post(timed('Lone', '2026-04-03T09:00:00', '2026-04-03T10:00:00'));
    expect((await graph.api(`/me/events/${enc(single.id)}`).select('cancelledOccurrences').get()).cancelledOccurrences).toEqual([]);
  });

  // https://learn.microsoft.com/graph/delta-query-events — every item of a delta page carries
  // "@odata.type":"#microsoft.graph.event", the changed ones as well as the @removed ones.
  it('puts @odata.type on every delta item, changed or removed', async () => {
    const window = { startDateTime: '2026-06-01T00:00:00Z', endDateTime: '2026-07-01T00:00:00Z' };
    const kept = await graph.api('/me/events').post(timed('Kept', '2026-06-02T09:00:00', '2026-06-02T10:00:00'));
    const gone = await graph.api('/me/events').post(timed('Gone', '2026-06-03T09:00:00', '2026-06-03T10:00:00'));
    const first = await graph.api('/me/calendarView/delta').query(window).get();
    expect(first.value.length).toBeGreaterThanOrEqual(2);
    for (const item of first.value as GraphItem[]) expect(item['@odata.type']).toBe('#microsoft.graph.event');
    await graph.api(`/me/events/${enc(kept.id)}`).patch({ subject: 'Kept v2' });
    await graph.api(`/me/events/${enc(gone.id)}`).delete();
    const next = (await graph.api(first['@odata.deltaLink']).get()).value as GraphItem[];
    expect(next).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ '@odata.type': '#microsoft.graph.event', id: kept.id, subject: 'Kept v2' }),
        { '@odata.type': '#microsoft.graph.event', id: gone.id, '@removed': { reason: 'deleted' } },
      ]),
    );
  });

  // https://learn.microsoft.com/graph/api/event-get?view=graph-rest-1.0 (Response 1): with $select the
  // context names the selected properties and the event links its calendar;
  // https://learn.microsoft.com/graph/api/event-list-instances?view=graph-rest-1.0: the context of
  // /instances is `users('…')/events('{id}')/instances(…)`.
  it('narrows @odata.context by $select, names the /instances path, and links the calendar on a $select GET', async () => {
    const master = await graph.api('/me/events').post(daily('Context', '2026-04-27', '10:00', 'UTC', 2));
    const userId = env.ms.control.getAccount(ACCOUNT).id;
    const metadata = `${env.ms.graphBaseUrl}/v1.0/$metadata#users('${userId}')`;

    const selected = await graph.api(`/me/events/${enc(master.id)}`).select('subject,start').get();
    expect(selected['@odata.context']).toBe(`${metadata}/events(subject,start)/$entity`);
    const calendarId = (await graph.api('/me/calendar').get()).id as string;
    expect(selected['calendar@odata.associationLink']).toBe(`${env.ms.graphBaseUrl}/v1.0/users('${userId}')/calendars('${calendarId}')/$ref`);
    expect(selected['calendar@odata.navigationLink']).toBe(`${env.ms.graphBaseUrl}/v1.0/users('${userId}')/calendars('${calendarId}')`);
    const whole = await graph.api(`/me/events/${enc(master.id)}`).get();
    expect(whole['@odata.context']).toBe(`${metadata}/events/$entity`);
    expect(whole).not.toHaveProperty('calendar@odata.navigationLink');

    expect((await graph.api('/me/events').select('subject').get())['@odata.context']).toBe(`${metadata}/events(subject)`);
    expect((await graph.api('/me/calendarView').query(WINDOW).select('subject,type').get())['@odata.context']).toBe(`${metadata}/calendarView(subject,type)`);
    const instances = await graph.api(`/me/events/${enc(master.id)}/instances`).query(WINDOW).get();
    expect(instances['@odata.context']).toBe(`${metadata}/events('${enc(master.id)}')/instances`);
    const narrowed = await graph.api(`/me/events/${enc(master.id)}/instances`).query(WINDOW).select('subject').get();
    expect(narrowed['@odata.context']).toBe(`${metadata}/events('${enc(master.id)}')/instances(subject)`);
  });

  // https://learn.microsoft.com/graph/api/user-list-calendars?view=graph-rest-1.0 — each calendar of the
  // list carries "@odata.id": ".../users('{user id}@{tenant id}')/calendars('{id}')".
  it('gives every calendar of the list its @odata.id', async () => {
    const { id, tenantId } = env.ms.control.getAccount(ACCOUNT);
    const calendars = (await graph.api('/me/calendars').get()).value as GraphItem[];
    expect(calendars.length).toBeGreaterThan(1);
    for (const c of calendars) expect(c['@odata.id']).toBe(`${env.ms.graphBaseUrl}/v1.0/users('${id}@${tenantId}')/calendars('${c.id}')`);
  });

  // https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get?view=graph-rest-1.0 — an
  // extended property is expanded through "$expand … Use a $filter and eq operator on the id property
  // … This is currently the only way": an unfiltered $expand is refused.
  it('refuses $expand=singleValueExtendedProperties without a filter on the id, and expands a filtered one', async () => {
    const tagged = await graph.api('/me/events').post(timed('Tagged', '2026-04-04T09:00:00', '2026-04-04T10:00:00', 'UTC', { singleValueExtendedProperties: [{ id: TAG_ID, value: 'h:1' }] }));
    for (const expand of ['singleValueExtendedProperties', "singleValueExtendedProperties($filter=value eq 'h:1')", 'singleValueExtendedProperties($select=id)']) {
      const refused = await graph.api(`/me/events/${enc(tagged.id)}`).expand(expand).get().catch((e: unknown) => e);
      expect(refused, expand).toMatchObject({ statusCode: 400, code: 'ErrorInvalidRequest' });
      expect(await graph.api('/me/events').expand(expand).get().catch((e: unknown) => e), expand).toMatchObject({ statusCode: 400 });
    }
    const expanded = await graph.api(`/me/events/${enc(tagged.id)}`).expand(`singleValueExtendedProperties($filter=id eq '${TAG_ID}')`).get();
    expect(expanded.singleValueExtendedProperties).toEqual([{ id: TAG_ID, value: 'h:1' }]);
  });
});

describe('Graph JSON batching and errors as documented', () => {
  // https://learn.microsoft.com/graph/json-batching — "The headers property in each individual response
  // represents the headers returned by the server, for example, Cache-Control and Content-Type headers"
  // (sample: "Cache-Control", "OData-Version": "4.0", "Content-Type"); a method the target does not
  // support answers 405 (request 4 of the sample).
  it('answers parts with Graph-cased headers, Cache-Control and OData-Version, and a PUT the target does not support with 405', async () => {
    const event = await graph.api('/me/events').post(timed('Batched', '2026-04-05T09:00:00', '2026-04-05T10:00:00'));
    const res = await graph.api('/$batch').post({
      requests: [
        { id: 'get', method: 'GET', url: `/me/events/${enc(event.id)}` },
        { id: 'put', method: 'PUT', url: `/me/events/${enc(event.id)}`, headers: { 'Content-Type': 'application/json' }, body: { subject: 'x' } },
        { id: 'missing', method: 'GET', url: '/me/events/AAMkAGI2doesnotexistAAA=' },
      ],
    });
    type Part = { id: string; status: number; headers: Record<string, string>; body: { error?: { code: string } } };
    const byId = Object.fromEntries((res.responses as Part[]).map((r) => [r.id, r]));
    expect(byId.get!.status).toBe(200);
    expect(byId.get!.headers).toEqual({
      'Cache-Control': 'no-cache',
      'OData-Version': '4.0',
      'Content-Type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
    });
    expect(byId.put!.status).toBe(405);
    expect(byId.put!.headers).toEqual({ 'Cache-Control': 'no-cache', 'Content-Type': 'application/json' });
    expect(byId.put!.body.error).toMatchObject({ code: 'Request_BadRequest', message: 'Specified HTTP method is not allowed for the request target.' });
    expect(byId.missing!.status).toBe(404);
    expect(byId.missing!.headers).toEqual({ 'Cache-Control': 'no-cache', 'Content-Type': 'application/json' });
    // The same outside a batch; an unknown segment stays a 400.
    expect(await graph.api(`/me/events/${enc(event.id)}`).put({ subject: 'x' }).catch((e: unknown) => e)).toMatchObject({ statusCode: 405 });
    expect(await graph.api('/me/nonsense').get().catch((e: unknown) => e)).toMatchObject({ statusCode: 400, code: 'BadRequest' });
  });

  // https://learn.microsoft.com/graph/throttling#sample-response — a 429 answers
  // {"error":{"code":"TooManyRequests","innerError":{"code":"429","date","message":"Please retry after","request-id","status":"429"},"message":"Please retry again later."}}.
  it('renders an injected 429 with the documented innerError', async () => {
    env.core.faults.add({ provider: 'microsoft', route: 'graph.calendars.list', action: { kind: 'status', status: 429, retryAfterSeconds: 3 }, trigger: { mode: 'once' } });
    const raw = (await graph.api('/me/calendars').header('client-request-id', 'c-1').responseType(ResponseType.RAW).get()) as Response;
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('3');
    expect(await raw.json()).toEqual({
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: { code: '429', date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/), message: 'Please retry after', 'request-id': expect.any(String), status: '429', 'client-request-id': 'c-1' },
      },
    });
  });
});
