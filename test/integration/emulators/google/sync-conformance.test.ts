import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, authorize, calendarClient, SCOPES, startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';

let env: GoogleTestEnv;
let cal: calendar_v3.Calendar;
let accountId: string;
let calendarId: string;

beforeAll(async () => {
  env = await startGoogleTestEmulator({ seed: false });
  const account = env.google.control.createAccount({ email: 'sync@example.com', timeZone: 'Europe/Zurich' });
  accountId = account.id;
  calendarId = account.email;
  const { client } = await authorize(env, { email: account.email, scopes: [SCOPES.calendar] });
  cal = calendarClient(env, client);
});
afterAll(async () => {
  await env.close();
});

const slot = (day: number) => ({
  start: { dateTime: `2031-03-${String(day).padStart(2, '0')}T09:00:00`, timeZone: 'Europe/Zurich' },
  end: { dateTime: `2031-03-${String(day).padStart(2, '0')}T10:00:00`, timeZone: 'Europe/Zurich' },
});

/** A full sync the way the Calendar sync guide describes it: follow nextPageToken to the last page. */
async function fullSync(maxResults: number): Promise<{ pages: calendar_v3.Schema$Events[]; items: calendar_v3.Schema$Event[]; syncToken: string }> {
  const pages: calendar_v3.Schema$Events[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await cal.events.list({ calendarId: 'primary', maxResults, showDeleted: true, ...(pageToken ? { pageToken } : {}) });
    pages.push(data);
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  return { pages, items: pages.flatMap((p) => p.items ?? []), syncToken: pages[pages.length - 1]?.nextSyncToken ?? '' };
}

describe('Google Calendar: incremental sync with syncToken', () => {
  it('pages a full sync and gives nextSyncToken on the last page only', async () => {
    for (let d = 1; d <= 5; d++) await cal.events.insert({ calendarId: 'primary', requestBody: { summary: `E${d}`, ...slot(d) } });
    const { pages, items, syncToken } = await fullSync(2);
    expect(pages).toHaveLength(3);
    expect(pages.slice(0, -1).every((p) => p.nextPageToken && !p.nextSyncToken)).toBe(true);
    expect(pages[2]?.nextPageToken).toBeUndefined();
    expect(syncToken).toBeTruthy();
    expect(items.map((e) => e.summary).sort()).toEqual(['E1', 'E2', 'E3', 'E4', 'E5']);
  });

  it('returns only what changed since the token, with deletions as cancelled', async () => {
    const { items, syncToken } = await fullSync(50);
    const quiet = await cal.events.list({ calendarId: 'primary', syncToken });
    expect(quiet.data.items).toEqual([]);
    expect(quiet.data.nextSyncToken).toBeTruthy();

    const [a, b] = items;
    await cal.events.patch({ calendarId: 'primary', eventId: a?.id ?? '', requestBody: { summary: 'changed' } });
    env.google.control.deleteEvent(accountId, calendarId, b?.id ?? '');
    const added = env.google.control.createEvent(accountId, calendarId, { summary: 'from the other side', ...slot(9) });
    const delta = await cal.events.list({ calendarId: 'primary', syncToken: quiet.data.nextSyncToken ?? '' });
    const byId = new Map(delta.data.items?.map((e) => [e.id, e]));
    expect(byId.size).toBe(3);
    expect(byId.get(a?.id)?.summary).toBe('changed');
    expect(byId.get(b?.id)).toEqual(expect.objectContaining({ id: b?.id, status: 'cancelled' }));
    expect(byId.get(String(added.id))?.summary).toBe('from the other side');

    const after = await cal.events.list({ calendarId: 'primary', syncToken: delta.data.nextSyncToken ?? '' });
    expect(after.data.items).toEqual([]);
  });

  it('pages an incremental result and moves the token only on its last page', async () => {
    const { syncToken } = await fullSync(50);
    for (let d = 10; d < 13; d++) env.google.control.createEvent(accountId, calendarId, { summary: `burst ${d}`, ...slot(d) });
    const p1 = await cal.events.list({ calendarId: 'primary', syncToken, maxResults: 2 });
    expect(p1.data.items).toHaveLength(2);
    expect(p1.data.nextSyncToken).toBeUndefined();
    const p2 = await cal.events.list({ calendarId: 'primary', syncToken, maxResults: 2, pageToken: p1.data.nextPageToken ?? '' });
    expect(p2.data.items).toHaveLength(1);
    expect(p2.data.nextSyncToken).toBeTruthy();
  });

  it('refuses the parameters Google forbids with a syncToken, and showDeleted=false', async () => {
    const { syncToken } = await fullSync(50);
    const forbidden: calendar_v3.Params$Resource$Events$List[] = [
      { timeMin: '2031-01-01T00:00:00Z' },
      { timeMax: '2031-01-01T00:00:00Z' },
      { q: 'x' },
      { orderBy: 'updated' },
      { iCalUID: 'x@google.com' },
      { privateExtendedProperty: ['a=b'] },
      { sharedExtendedProperty: ['a=b'] },
      { updatedMin: '2031-01-01T00:00:00Z' },
      { showDeleted: false },
    ];
    for (const extra of forbidden) {
      expect(await apiError(cal.events.list({ calendarId: 'primary', syncToken, ...extra }, { retry: false })), JSON.stringify(extra)).toMatchObject({ status: 400 });
    }
  });

  it('answers 410 fullSyncRequired to an invalidated or corrupted token, and a full sync recovers', async () => {
    const { syncToken } = await fullSync(50);
    env.google.control.invalidateSyncTokens({ calendarId });
    const res = await fetch(`${env.google.origin}/calendar/v3/calendars/primary/events?syncToken=${encodeURIComponent(syncToken)}`, {
      headers: { authorization: `Bearer ${(await (cal.context._options.auth as { getAccessToken(): Promise<{ token: string }> }).getAccessToken()).token}` },
    });
    expect(res.status).toBe(410);
    // The documented 410 body has no `status` (https://developers.google.com/workspace/calendar/api/guides/errors#410_gone).
    expect(await res.json()).toEqual({
      error: {
        errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.', locationType: 'parameter', location: 'syncToken' }],
        code: 410,
        message: 'Sync token is no longer valid, a full sync is required.',
      },
    });
    expect(await apiError(cal.events.list({ calendarId: 'primary', syncToken: `${syncToken.slice(0, -3)}abc` }, { retry: false }))).toMatchObject({ status: 410, reason: 'fullSyncRequired' });
    const recovered = await fullSync(50);
    const next = await cal.events.list({ calendarId: 'primary', syncToken: recovered.syncToken });
    expect(next.status).toBe(200);
  });

  it('expires tokens by age when syncTokenMaxAgeSeconds is set', async () => {
    const { syncToken } = await fullSync(50);
    env.google.control.updateSettings({ syncTokenMaxAgeSeconds: 60 });
    env.core.clock.advance(61_000);
    try {
      expect(await apiError(cal.events.list({ calendarId: 'primary', syncToken }, { retry: false }))).toMatchObject({ status: 410 });
    } finally {
      env.core.clock.reset();
      env.google.control.updateSettings({ syncTokenMaxAgeSeconds: null });
    }
  });
});
