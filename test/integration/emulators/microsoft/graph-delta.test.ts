import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFor, startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

let env: MicrosoftTestEnv;
let graph: Client;
const ACCOUNT = 'delta@contoso.onmicrosoft.com';
const WINDOW = { startDateTime: '2026-05-01T00:00:00Z', endDateTime: '2026-06-01T00:00:00Z' };

interface DeltaPage {
  value: { id: string; type?: string; '@removed'?: { reason: string } }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** Follows nextLinks until the deltaLink; returns every item and the pages seen. */
async function round(start: string | (() => Promise<DeltaPage>), pageSize = 2): Promise<{ items: DeltaPage['value']; deltaLink: string; pages: number }> {
  let page: DeltaPage = typeof start === 'string' ? await graph.api(start).header('Prefer', `odata.maxpagesize=${pageSize}`).get() : await start();
  const items = [...page.value];
  let pages = 1;
  while (page['@odata.nextLink']) {
    expect(page['@odata.nextLink']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/me\/.*calendarView\/delta\?\$skiptoken=/);
    page = await graph.api(page['@odata.nextLink']).header('Prefer', `odata.maxpagesize=${pageSize}`).get();
    items.push(...page.value);
    pages += 1;
  }
  expect(page['@odata.deltaLink']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/me\/.*calendarView\/delta\?\$deltatoken=/);
  return { items, deltaLink: page['@odata.deltaLink']!, pages };
}

const initial = (path = '/me/calendarView/delta', pageSize = 2) => () => graph.api(path).query(WINDOW).header('Prefer', `odata.maxpagesize=${pageSize}`).get() as Promise<DeltaPage>;
const timed = (subject: string, start: string, end: string, extra: Record<string, unknown> = {}) => ({ subject, start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' }, ...extra });

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  env.ms.control.createAccount({ email: ACCOUNT, calendars: ['Side'] });
  ({ graph } = await graphFor(env, ACCOUNT));
});
afterAll(async () => env?.close());

describe('calendarView/delta through the Graph client', () => {
  it('pages a round with odata.maxpagesize, returns instances never masters, and follows the deltaLink into change rounds', async () => {
    const a = await graph.api('/me/events').post(timed('A', '2026-05-04T09:00:00', '2026-05-04T10:00:00'));
    const b = await graph.api('/me/events').post(timed('B', '2026-05-05T09:00:00', '2026-05-05T10:00:00'));
    const series = await graph.api('/me/events').post(
      timed('S', '2026-05-11T08:00:00', '2026-05-11T08:30:00', { recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', startDate: '2026-05-11', numberOfOccurrences: 3 } } }),
    );
    await graph.api('/me/events').post(timed('Outside', '2026-07-01T09:00:00', '2026-07-01T10:00:00'));

    const raw = (await graph.api('/me/calendarView/delta').query(WINDOW).header('Prefer', 'odata.maxpagesize=2').responseType(ResponseType.RAW).get()) as Response;
    expect(raw.headers.get('preference-applied')).toContain('odata.track-changes');
    const first = await round(initial());
    expect(first.pages).toBe(3);
    expect(first.items).toHaveLength(5);
    expect(first.items.some((i) => i.type === 'seriesMaster' || i.id === series.id)).toBe(false);
    expect(first.items.filter((i) => i.type === 'occurrence')).toHaveLength(3);
    expect(first.items.map((i) => i.id)).toEqual(expect.arrayContaining([a.id, b.id]));

    const quiet = await round(first.deltaLink);
    expect(quiet.items).toEqual([]);

    await graph.api(`/me/events/${encodeURIComponent(a.id)}`).patch({ subject: 'A2' });
    await graph.api(`/me/events/${encodeURIComponent(b.id)}`).delete();
    const changes = await round(quiet.deltaLink);
    expect(changes.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: a.id, subject: 'A2' }), { '@odata.type': '#microsoft.graph.event', id: b.id, '@removed': { reason: 'deleted' } }]),
    );
    expect(changes.items).toHaveLength(2);

    const occurrences = first.items.filter((i) => i.type === 'occurrence');
    await graph.api(`/me/events/${encodeURIComponent(occurrences[1]!.id)}`).delete();
    await graph.api(`/me/events/${encodeURIComponent(a.id)}`).patch({ start: { dateTime: '2026-08-04T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-08-04T10:00:00', timeZone: 'UTC' } });
    const later = await round(changes.deltaLink);
    const removed = later.items.filter((i) => i['@removed']).map((i) => i.id);
    // The cancelled occurrence and the event moved out of the window both come back as @removed.
    expect(removed).toEqual(expect.arrayContaining([occurrences[1]!.id, a.id]));
    expect(later.items.some((i) => i.type === 'seriesMaster')).toBe(false);
  });

  it('sees changes made by the other side (control API) in the next round', async () => {
    const side = env.ms.control.getAccount(ACCOUNT).calendarIds[1]!;
    const base = `/me/calendars/${side}/calendarView/delta`;
    const first = await round(initial(base));
    expect(first.items).toEqual([]);
    const made = env.ms.control.createEvent(ACCOUNT, side, timed('From Outlook', '2026-05-20T12:00:00', '2026-05-20T13:00:00'));
    const next = await round(first.deltaLink);
    expect(next.items).toEqual([expect.objectContaining({ id: made.id, subject: 'From Outlook', type: 'singleInstance' })]);
  });

  it('reports an event created while a round pages and deleted before the next round as @removed', async () => {
    const side = env.ms.control.getAccount(ACCOUNT).calendarIds[1]!;
    for (const day of ['21', '23']) env.ms.control.createEvent(ACCOUNT, side, timed('Before', `2026-05-${day}T12:00:00`, `2026-05-${day}T13:00:00`));
    const firstPage: DeltaPage = await initial(`/me/calendars/${side}/calendarView/delta`, 1)();
    // Made mid-round: the round shows it if its id sorts after the page cut, else the next round does.
    const brief = env.ms.control.createEvent(ACCOUNT, side, timed('Brief', '2026-05-22T12:00:00', '2026-05-22T13:00:00'));
    const rest = await round(firstPage['@odata.nextLink']!, 1);
    env.ms.control.deleteEvent(ACCOUNT, String(brief.id));
    const next = await round(rest.deltaLink, 1);
    expect(next.items).toEqual([{ '@odata.type': '#microsoft.graph.event', id: brief.id, '@removed': { reason: 'deleted' } }]);
  });

  it('can serve an empty first page that still carries a nextLink', async () => {
    env.ms.control.updateSettings({ deltaEmptyFirstPage: true });
    try {
      const page: DeltaPage = await initial()();
      expect(page.value).toEqual([]);
      expect(page['@odata.nextLink']).toBeTruthy();
      const rest = await round(page['@odata.nextLink']!);
      expect(rest.items.length).toBeGreaterThan(0);
    } finally {
      env.ms.control.updateSettings({ deltaEmptyFirstPage: false });
    }
  });

  it('answers 410 SyncStateNotFound after the tokens are invalidated, with the Location sync-reset variant as a switch', async () => {
    const first = await round(initial());
    env.ms.control.invalidateDeltaTokens(ACCOUNT);
    const gone = await graph.api(first.deltaLink).get().catch((e: unknown) => e);
    expect(gone).toMatchObject({ statusCode: 410, code: 'SyncStateNotFound' });

    const fresh = await round(initial());
    env.ms.control.invalidateDeltaTokens(ACCOUNT);
    env.ms.control.updateSettings({ deltaResetWithLocation: true });
    try {
      const res = (await graph.api(fresh.deltaLink).responseType(ResponseType.RAW).get()) as Response;
      expect(res.status).toBe(410);
      const location = res.headers.get('location')!;
      expect(location).toMatch(/calendarView\/delta\?startDateTime=/);
      const recovered = await round(location);
      expect(recovered.items.length).toBeGreaterThan(0);
    } finally {
      env.ms.control.updateSettings({ deltaResetWithLocation: false });
    }
  });

  it('rejects query options that delta does not support', async () => {
    const error = await graph.api('/me/calendarView/delta').query(WINDOW).select('subject').get().catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 400 });
  });
});
