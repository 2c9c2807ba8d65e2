import { createEmulatorCore, ensureEmulatorTls, startGoogleEmulator } from '@calendar-sync-hub/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountByEmail, authorize, calendarClient, oauthClient, SCOPES, startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';

let env: GoogleTestEnv;

beforeAll(async () => {
  env = await startGoogleTestEmulator();
});
afterAll(async () => {
  await env.close();
});

describe('Google emulator: sandbox page', () => {
  it('creates, edits and deletes an event through the page forms, and the API sees each change', async () => {
    const alice = accountByEmail(env, 'alice@example.com');
    const { client } = await authorize(env, { email: alice.email, scopes: [SCOPES.calendar] });
    const cal = calendarClient(env, client);
    const before = await cal.events.list({ calendarId: 'primary' });

    const page = await fetch(env.google.sandboxUrl(alice.id));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form id="create-event"');
    expect(html).toContain('Project kickoff');
    const action = /<form id="create-event" method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';

    const created = await fetch(new URL(action, env.google.origin), {
      method: 'POST',
      body: new URLSearchParams({ calendarId: alice.email, summary: 'Made in the sandbox', start: '2031-07-01T14:00', end: '2031-07-01T15:30', timeZone: 'Europe/Berlin', location: 'Cafe' }),
      redirect: 'manual',
    });
    expect(created.status).toBe(303);
    const delta = await cal.events.list({ calendarId: 'primary', syncToken: before.data.nextSyncToken ?? '' });
    expect(delta.data.items).toHaveLength(1);
    const ev = delta.data.items?.[0];
    expect(ev).toMatchObject({ summary: 'Made in the sandbox', location: 'Cafe', start: { dateTime: '2031-07-01T14:00:00+02:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2031-07-01T15:30:00+02:00' } });

    const edit = await fetch(`${env.google.sandboxUrl(alice.id)}/events/edit?calendarId=${encodeURIComponent(alice.email)}&eventId=${ev?.id ?? ''}`);
    expect(await edit.text()).toContain('value="Made in the sandbox"');
    const updated = await fetch(`${env.google.sandboxUrl(alice.id)}/events/update`, {
      method: 'POST',
      body: new URLSearchParams({ calendarId: alice.email, eventId: ev?.id ?? '', summary: 'Renamed in the sandbox', start: '2031-07-01T14:00', end: '2031-07-01T15:30', timeZone: 'Europe/Berlin' }),
      redirect: 'manual',
    });
    expect(updated.status).toBe(303);
    expect((await cal.events.get({ calendarId: 'primary', eventId: ev?.id ?? '' })).data.summary).toBe('Renamed in the sandbox');

    await fetch(`${env.google.sandboxUrl(alice.id)}/events/delete`, { method: 'POST', body: new URLSearchParams({ calendarId: alice.email, eventId: ev?.id ?? '' }), redirect: 'manual' });
    const after = await cal.events.list({ calendarId: 'primary', syncToken: delta.data.nextSyncToken ?? '' });
    expect(after.data.items?.map((e) => [e.id, e.status])).toEqual([[ev?.id, 'cancelled']]);
  });

  it('shows the error and keeps the form when the input is invalid', async () => {
    const alice = accountByEmail(env, 'alice@example.com');
    const res = await fetch(`${env.google.sandboxUrl(alice.id)}/events`, {
      method: 'POST',
      body: new URLSearchParams({ calendarId: alice.email, summary: 'Backwards', start: '2031-07-01T15:00', end: '2031-07-01T14:00', timeZone: 'Europe/Berlin' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('timeRangeEmpty');
  });
});

describe('Google emulator: control API over HTTP and state persistence', () => {
  it('creates accounts and events and changes settings through /_control', async () => {
    const post = (path: string, body: unknown, method = 'POST') =>
      fetch(`${env.google.origin}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post('/_control/accounts', { email: 'dave@example.com', timeZone: 'Asia/Tokyo' });
    expect(created.status).toBe(201);
    const dave = (await created.json()) as { id: string; calendarIds: string[] };
    expect(dave.calendarIds[0]).toBe('dave@example.com');
    expect(dave.calendarIds).toHaveLength(2);
    const ev = await post(`/_control/accounts/${dave.id}/calendars/primary/events`, { summary: 'Via control', start: { date: '2031-08-01' }, end: { date: '2031-08-02' } });
    expect(ev.status).toBe(200);
    const listed = (await (await fetch(`${env.google.origin}/_control/accounts/${dave.id}/calendars/primary/events`)).json()) as { items: { summary: string }[] };
    expect(listed.items.map((e) => e.summary)).toEqual(['Via control']);
    expect((await post('/_control/settings', { noSuchSetting: true }, 'PATCH')).status).toBe(400);
    expect((await post('/_control/settings', { autoConsent: true }, 'PATCH')).status).toBe(200);
    expect(env.google.control.settings.autoConsent).toBe(true);
    env.google.control.updateSettings({ autoConsent: false });
    const accounts = (await (await fetch(`${env.google.origin}/_control/accounts`)).json()) as { value: { email: string }[] };
    expect(accounts.value.map((a) => a.email)).toContain('dave@example.com');
    expect((await post('/_control/grants/expire', { accountId: dave.id, cause: 'bogus' })).status).toBe(400);
  });

  it('restores its whole state into a new emulator: accounts, events and live refresh tokens', async () => {
    const { client, tokens } = await authorize(env, { email: 'bob@example.com', scopes: [SCOPES.calendar], prompt: 'consent' });
    const { data: ev } = await calendarClient(env, client).events.insert({ calendarId: 'primary', requestBody: { summary: 'Persisted', start: { date: '2031-09-01' }, end: { date: '2031-09-02' } } });
    const saved = JSON.parse(JSON.stringify(env.google.exportState())) as unknown;

    let changes = 0;
    const restored = await startGoogleEmulator({ core: createEmulatorCore(), tls: await ensureEmulatorTls(), initialState: saved, onStateChange: () => changes++ });
    try {
      expect(restored.listAccounts().map((a) => a.email)).toEqual(env.google.listAccounts().map((a) => a.email));
      const again = oauthClient({ ...env, google: restored });
      again.setCredentials({ refresh_token: tokens.refresh_token ?? '' });
      const cal = calendarClient({ ...env, google: restored }, again);
      const got = await cal.events.get({ calendarId: 'primary', eventId: ev.id ?? '' });
      expect(got.data).toMatchObject({ summary: 'Persisted', etag: ev.etag });
      expect(changes).toBeGreaterThan(0);
      // The registered client survived too: its consent page opens instead of Google's invalid_client page.
      const page = await fetch(oauthClient({ ...env, google: restored }).generateAuthUrl({ scope: [SCOPES.calendar] }));
      expect(page.status).toBe(200);
    } finally {
      await restored.close();
    }
  });
});
