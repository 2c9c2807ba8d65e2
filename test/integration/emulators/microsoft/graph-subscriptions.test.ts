import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFor, startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

/** A real webhook endpoint as the hub would run it: answers validation handshakes and records notifications. */
interface Webhook {
  url: string;
  notifications: Record<string, unknown>[];
  lifecycle: Record<string, unknown>[];
  validations: string[];
  /** When set, validation answers with this instead of the token. */
  wrongEcho: boolean;
  close(): Promise<void>;
}

async function startWebhook(): Promise<Webhook> {
  const hook: Omit<Webhook, 'url' | 'close'> = { notifications: [], lifecycle: [], validations: [], wrongEcho: false };
  const read = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => resolve(s));
  });
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    const body = await read(req);
    const token = url.searchParams.get('validationToken');
    if (token !== null) {
      hook.validations.push(token);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(hook.wrongEcho ? 'nope' : token);
      return;
    }
    const payload = JSON.parse(body) as { value: Record<string, unknown>[] };
    (url.pathname === '/lifecycle' ? hook.lifecycle : hook.notifications).push(...payload.value);
    res.writeHead(202).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(hook, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as Webhook;
}

let env: MicrosoftTestEnv;
let graph: Client;
let hook: Webhook;
const ACCOUNT = 'subs@contoso.onmicrosoft.com';
const inMinutes = (m: number) => new Date(env.core.clock.now() + m * 60_000).toISOString();
const timed = (subject: string, start: string, end: string) => ({ subject, start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' } });

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  env.ms.control.createAccount({ email: ACCOUNT });
  ({ graph } = await graphFor(env, ACCOUNT));
  hook = await startWebhook();
});
afterAll(async () => {
  await env?.close();
  await hook?.close();
});

describe('Graph change notifications', () => {
  it('validates both URLs with the handshake, then POSTs notifications with clientState after API and other-side changes', async () => {
    const sub = await graph.api('/subscriptions').post({
      changeType: 'created,updated,deleted',
      notificationUrl: `${hook.url}/notify`,
      lifecycleNotificationUrl: `${hook.url}/lifecycle`,
      resource: '/me/events',
      expirationDateTime: inMinutes(60),
      clientState: 'secret-state',
    });
    expect(sub).toMatchObject({ resource: '/me/events', clientState: 'secret-state', changeType: 'created,updated,deleted', latestSupportedTlsVersion: 'v1_2' });
    expect(hook.validations).toHaveLength(2);
    expect(hook.validations[0]).toMatch(/^Validation: Testing client application reachability/);

    const created = await graph.api('/me/events').post(timed('Ping', '2026-05-04T09:00:00', '2026-05-04T10:00:00'));
    await env.ms.control.notificationsIdle();
    expect(hook.notifications).toEqual([
      expect.objectContaining({
        subscriptionId: sub.id,
        clientState: 'secret-state',
        changeType: 'created',
        resource: expect.stringContaining(created.id),
        resourceData: expect.objectContaining({ id: created.id, '@odata.type': '#Microsoft.Graph.Event' }),
      }),
    ]);

    env.ms.control.deleteEvent(ACCOUNT, created.id);
    await env.ms.control.notificationsIdle();
    expect(hook.notifications[1]).toMatchObject({ changeType: 'deleted', clientState: 'secret-state' });

    const renewed = await graph.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: inMinutes(120) });
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(sub.expirationDateTime));

    await env.ms.control.triggerLifecycleEvent(sub.id, 'reauthorizationRequired');
    await env.ms.control.removeSubscription(sub.id);
    expect(hook.lifecycle.map((l) => l.lifecycleEvent)).toEqual(['reauthorizationRequired', 'subscriptionRemoved']);
    expect(await graph.api(`/subscriptions/${sub.id}`).get().catch((e: unknown) => e)).toMatchObject({ statusCode: 404 });
  });

  // https://learn.microsoft.com/graph/api/resources/changenotification?view=graph-rest-1.0 — `id`:
  // "Unique ID for the notification. Optional."
  it('gives every change notification its own id', async () => {
    const sub = await graph.api('/subscriptions').post({ changeType: 'created,updated', notificationUrl: `${hook.url}/notify`, resource: '/me/events', expirationDateTime: inMinutes(60), clientState: 'ids' });
    const before = hook.notifications.length;
    const event = await graph.api('/me/events').post(timed('Ids', '2026-05-05T09:00:00', '2026-05-05T10:00:00'));
    await graph.api(`/me/events/${encodeURIComponent(event.id)}`).patch({ subject: 'Ids v2' });
    await env.ms.control.notificationsIdle();
    const mine = hook.notifications.slice(before).filter((n) => n.subscriptionId === sub.id);
    expect(mine.map((n) => n.changeType)).toEqual(['created', 'updated']);
    const ids = mine.map((n) => n.id);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    await graph.api(`/subscriptions/${sub.id}`).delete();
  });

  it('refuses a lifetime beyond 4230 minutes with 400 ExtensionError, and a failed handshake with 400', async () => {
    const tooLong = await graph
      .api('/subscriptions')
      .post({ changeType: 'created', notificationUrl: `${hook.url}/notify`, resource: '/me/events', expirationDateTime: inMinutes(4231), clientState: 'x' })
      .catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ statusCode: 400, code: 'ExtensionError' });
    expect((tooLong as Error).message).toContain('4230 minutes');

    hook.wrongEcho = true;
    try {
      const failed = await graph
        .api('/subscriptions')
        .post({ changeType: 'created', notificationUrl: `${hook.url}/notify`, resource: '/me/events', expirationDateTime: inMinutes(60), clientState: 'x' })
        .catch((e: unknown) => e);
      expect(failed).toMatchObject({ statusCode: 400, code: 'ValidationError' });
    } finally {
      hook.wrongEcho = false;
    }
    env.ms.control.updateSettings({ requireHttpsNotificationUrl: true });
    try {
      const http = await graph
        .api('/subscriptions')
        .post({ changeType: 'created', notificationUrl: `${hook.url}/notify`, resource: '/me/events', expirationDateTime: inMinutes(60) })
        .catch((e: unknown) => e);
      expect(http).toMatchObject({ statusCode: 400 });
    } finally {
      env.ms.control.updateSettings({ requireHttpsNotificationUrl: false });
    }
  });

  it('stops delivering once a subscription expires on the emulator clock, and DELETE answers 204', async () => {
    const sub = await graph.api('/subscriptions').post({ changeType: 'created', notificationUrl: `${hook.url}/notify`, resource: '/me/events', expirationDateTime: inMinutes(30), clientState: 'exp' });
    env.core.clock.advance(31 * 60_000);
    const before = hook.notifications.length;
    try {
      await graph.api('/me/events').post(timed('Late', '2026-05-06T09:00:00', '2026-05-06T10:00:00'));
      await env.ms.control.notificationsIdle();
      expect(hook.notifications.length).toBe(before);
    } finally {
      env.core.clock.reset();
    }
    await graph.api(`/subscriptions/${sub.id}`).delete();
    expect(await graph.api('/subscriptions').get()).toMatchObject({ value: [] });
  });
});
