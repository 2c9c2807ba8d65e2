import { createEmulatorCore, ensureEmulatorTls, startMicrosoftEmulator } from '@calendar-sync-hub/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFor, startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

let env: MicrosoftTestEnv;
const ACCOUNT = 'sandbox@contoso.onmicrosoft.com';

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  env.ms.control.createAccount({ email: ACCOUNT });
});
afterAll(async () => env?.close());

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('Microsoft sandbox page', () => {
  it('creates, edits and deletes an event through plain forms, visible through the Graph SDK', async () => {
    const id = env.ms.control.getAccount(ACCOUNT).id;
    const url = env.ms.sandboxUrl(id);
    const page = await env.fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form method="post" action="([^"]+\/events)">/.exec(html)![1]!;
    const calendarId = /<select id="calendarId" name="calendarId"><option value="([^"]+)" selected>/.exec(html)![1]!;

    const created = await env.fetch(new URL(action, url).toString(), form({ calendarId, subject: 'Dentist', start: '2026-05-12T14:00', end: '2026-05-12T15:00', timeZone: 'Europe/Berlin', location: 'Main St', body: 'Bring card', recurrence: 'none' }));
    expect(created.status).toBe(303);

    const { graph } = await graphFor(env, ACCOUNT);
    const events = await graph.api('/me/events').get();
    expect(events.value).toEqual([
      expect.objectContaining({ subject: 'Dentist', start: { dateTime: '2026-05-12T12:00:00.0000000', timeZone: 'UTC' }, location: expect.objectContaining({ displayName: 'Main St' }) }),
    ]);
    const eventId = events.value[0].id as string;

    const listed = await (await env.fetch(url)).text();
    expect(listed).toContain('Dentist');
    const edited = await env.fetch(`${url}/events/${encodeURIComponent(eventId)}`, form({ calendarId, subject: 'Dentist (moved)', start: '2026-05-13T09:00', end: '2026-05-13T10:00', timeZone: 'UTC', recurrence: 'none' }));
    expect(edited.status).toBe(303);
    expect((await graph.api(`/me/events/${encodeURIComponent(eventId)}`).get()).subject).toBe('Dentist (moved)');

    const bad = await env.fetch(`${url}/events`, form({ calendarId, subject: 'Broken', start: '2026-05-13T09:00', end: '2026-05-13T08:00', timeZone: 'UTC' }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('ErrorInvalidRequest');

    const deleted = await env.fetch(`${url}/events/${encodeURIComponent(eventId)}/delete`, form({}));
    expect(deleted.status).toBe(303);
    expect((await graph.api('/me/events').get()).value).toEqual([]);
  });

  it('keeps accounts, events and tokens across a restart from exported state', async () => {
    const { token } = await graphFor(env, ACCOUNT);
    const made = env.ms.control.createEvent(ACCOUNT, null, { subject: 'Persisted', start: { dateTime: '2026-05-20T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-05-20T10:00:00', timeZone: 'UTC' } });
    const state = JSON.parse(JSON.stringify(env.ms.exportState()));
    const restarted = await startMicrosoftEmulator({ core: createEmulatorCore(), tls: await ensureEmulatorTls(), initialState: state });
    try {
      const res = await env.fetch(`${restarted.graphBaseUrl}/v1.0/me/events/${encodeURIComponent(made.id as string)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { subject: string }).subject).toBe('Persisted');
      expect(restarted.listAccounts().map((a) => a.email)).toContain(ACCOUNT);
    } finally {
      await restarted.close();
    }
  });
});
