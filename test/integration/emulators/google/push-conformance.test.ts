import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, authorize, calendarClient, SCOPES, startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';
import { startPushReceiver, type PushReceiver } from '../../../helpers/google-push-receiver.js';

let env: GoogleTestEnv;
let cal: calendar_v3.Calendar;
let receiver: PushReceiver;
let accountId: string;
const calendarId = 'push@example.com';

beforeAll(async () => {
  env = await startGoogleTestEmulator({ seed: false });
  accountId = env.google.control.createAccount({ email: calendarId }).id;
  const { client } = await authorize(env, { email: calendarId, scopes: [SCOPES.events] });
  cal = calendarClient(env, client);
  receiver = await startPushReceiver();
});
afterAll(async () => {
  await env.close();
  await receiver.close();
});

const slot = { start: { dateTime: '2031-05-05T09:00:00Z' }, end: { dateTime: '2031-05-05T10:00:00Z' } };
const of = (channelId: string, state?: string) => (n: { headers: Record<string, unknown> }) =>
  n.headers['x-goog-channel-id'] === channelId && (state === undefined || n.headers['x-goog-resource-state'] === state);

describe('Google Calendar: push notifications', () => {
  it('sends sync right after watch, then exists on a change, as empty POSTs with X-Goog-* headers', async () => {
    const { data: channel } = await cal.events.watch({
      calendarId: 'primary',
      requestBody: { id: 'chan-1', type: 'web_hook', address: receiver.url, token: 'tenant=42', params: { ttl: '3600' } },
    });
    expect(channel).toMatchObject({ kind: 'api#channel', id: 'chan-1', token: 'tenant=42' });
    expect(Number(channel.expiration)).toBeGreaterThan(env.core.clock.now() + 3_500_000);
    expect(Number(channel.expiration)).toBeLessThanOrEqual(env.core.clock.now() + 3_600_000);

    const sync = await receiver.waitFor(of('chan-1', 'sync'));
    expect(sync.body).toBe('');
    expect(sync.headers).toMatchObject({
      'x-goog-message-number': '1',
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': channel.resourceUri,
      'x-goog-channel-token': 'tenant=42',
      'x-goog-channel-expiration': new Date(Number(channel.expiration)).toUTCString(),
    });

    env.google.control.createEvent(accountId, calendarId, { summary: 'other side', ...slot });
    const exists = await receiver.waitFor(of('chan-1', 'exists'));
    expect(exists.body).toBe('');
    expect(exists.headers['x-goog-message-number']).toBe('2');
  });

  it('stops a channel with 204, answers 404 for unknown channels, and sends nothing more', async () => {
    const { data: channel } = await cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-stop', type: 'web_hook', address: receiver.url } });
    await receiver.waitFor(of('chan-stop', 'sync'));
    expect((await cal.channels.stop({ requestBody: { id: 'chan-stop', resourceId: channel.resourceId ?? '' } })).status).toBe(204);
    expect(await apiError(cal.channels.stop({ requestBody: { id: 'chan-stop', resourceId: channel.resourceId ?? '' } }))).toMatchObject({ status: 404 });
    await cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-after', type: 'web_hook', address: receiver.url } });
    await receiver.waitFor(of('chan-after', 'sync'));
    await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'after stop', ...slot } });
    await receiver.waitFor(of('chan-after', 'exists'));
    expect(receiver.received.filter(of('chan-stop', 'exists'))).toEqual([]);
    await cal.channels.stop({ requestBody: { id: 'chan-after', resourceId: channel.resourceId ?? '' } });
  });

  it('retries a receiver answering 503 and delivers the notification', async () => {
    receiver.respondWith.push(503, 503);
    await cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-retry', type: 'web_hook', address: receiver.url } });
    const sync = await receiver.waitFor(of('chan-retry', 'sync'));
    expect(sync.headers['x-goog-message-number']).toBe('1');
    expect(receiver.received.filter(of('chan-retry', 'sync')).map((n) => n.status)).toEqual([503, 503, 200]);
    env.google.control.removeChannel('chan-retry');
  });

  it('lets channels expire by the clock and cuts lifetimes to the maximum', async () => {
    env.google.control.updateSettings({ channelMaxTtlSeconds: 600 });
    const { data } = await cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-short', type: 'web_hook', address: receiver.url, params: { ttl: '86400' } } });
    expect(Number(data.expiration)).toBeLessThanOrEqual(env.core.clock.now() + 600_000);
    await receiver.waitFor(of('chan-short', 'sync'));
    env.core.clock.advance(601_000);
    try {
      await cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-witness', type: 'web_hook', address: receiver.url } });
      await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'after expiry', ...slot } });
      await receiver.waitFor(of('chan-witness', 'exists'));
      expect(receiver.received.filter(of('chan-short', 'exists'))).toEqual([]);
      expect(env.google.control.listChannels().map((c) => c.id)).not.toContain('chan-short');
    } finally {
      env.core.clock.reset();
      env.google.control.updateSettings({ channelMaxTtlSeconds: 30 * 86_400 });
    }
  });

  it('refuses duplicate channel ids and, when switched on, http addresses', async () => {
    await cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-dup', type: 'web_hook', address: receiver.url } });
    expect(await apiError(cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-dup', type: 'web_hook', address: receiver.url } }))).toMatchObject({
      status: 400,
      reason: 'channelIdNotUnique',
    });
    env.google.control.updateSettings({ requireHttpsChannelAddress: true });
    expect(await apiError(cal.events.watch({ calendarId: 'primary', requestBody: { id: 'chan-http', type: 'web_hook', address: receiver.url } }))).toMatchObject({
      status: 400,
      reason: 'push.webhookUrlNotHttps',
    });
    env.google.control.updateSettings({ requireHttpsChannelAddress: false });
  });
});
