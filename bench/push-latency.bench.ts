import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { print } from 'graphql';
import type { ProviderKind } from '../src/domain/model.js';
import { Calendar } from '../src/store/entities/index.js';
import { AppointmentChangedDocument, CreateWebhookEndpointDocument, type AppointmentChangedSubscription } from '../test/graphql/generated.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test/helpers/webhook-receiver.js';
import { addUser, createTenantWithUser, linkOk, sandboxKit, startLinkingHub, type LinkingHub } from '../test/e2e/linking/linking-harness.js';
import { ms, percentile, type BenchModule, type BenchResult } from './bench-module.js';

const SAMPLE_TIMEOUT_MS = 15_000;

/**
 * Inbound latency with push: an event made at the provider (the emulator's control API, "the other
 * side") until (1) the host's `appointmentChanged` GraphQL subscription (graphql-ws) delivers it and
 * (2) the host's receiver gets the signed `appointment.changed` webhook. One change at a time,
 * against the in-process sandbox emulators with their default notification delays (Graph batches
 * notifications for 1 s, Google's channel waits 200 ms). Polls are 3 minutes apart: every change
 * arrives through push.
 */
export const pushLatencyBench: BenchModule = {
  name: 'push latency',
  description: 'provider change → appointmentChanged (graphql-ws) and → webhook received, through push notifications (sandbox emulators, SQLite, one hub process)',
  async run({ scale }) {
    const t = await startLinkingHub({ PUSH_NOTIFICATIONS: 'on', LOG_LEVEL: 'silent' });
    const receiver = await startWebhookReceiver();
    try {
      const tenant = await createTenantWithUser(t, 'Push bench', { hostUserId: 'bench-owner', email: null });
      const created = await t.gql(CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['appointment.changed'] } }, tenant.key);
      receiver.secret = created.data!.createWebhookEndpoint.secret;
      const samples = Math.max(10, Math.round(100 * scale));
      const results: BenchResult[] = [];
      for (const provider of ['MICROSOFT', 'GOOGLE'] as const) results.push(...(await measure(t, tenant.key, provider, samples, receiver)));
      return results;
    } finally {
      await receiver.close();
      await t.close();
    }
  },
};

async function measure(t: LinkingHub, key: string, provider: ProviderKind, samples: number, receiver: WebhookReceiver): Promise<BenchResult[]> {
  const kit = sandboxKit(t, provider);
  const email = kit.newAccount(`bench-${provider.toLowerCase()}`);
  const userId = await addUser(t, key, { hostUserId: `bench-${provider.toLowerCase()}`, email });
  const connectionId = await linkOk(t, key, { userId, provider, account: email });
  const em = () => t.hub.orm.em.fork();
  for (let i = 0; !(await em().findOne(Calendar, { connectionId, role: 'PRIMARY' }))?.push; i++) {
    if (i > 200) throw new Error(`no push channel for ${provider}`);
    await sleep(50);
  }
  const calendar = await em().findOneOrFail(Calendar, { connectionId, role: 'PRIMARY' });

  const open = t.hub.pubsub.subscriptionCount;
  const subscription = t.wsClient(key).iterate<AppointmentChangedSubscription>({ query: print(AppointmentChangedDocument), variables: { userId } });
  let pending = subscription.next();
  for (let i = 0; t.hub.pubsub.subscriptionCount <= open; i++) {
    if (i > 200) throw new Error('the appointmentChanged subscription did not start');
    await sleep(10);
  }
  const toSubscription: number[] = [];
  const toWebhook: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const subject = `${provider} push ${i}`;
      const webhooksBefore = receiver.received.length;
      const started = performance.now();
      kit.createUserEvent(email, calendar.providerCalendarId, subject);
      const deadline = Date.now() + SAMPLE_TIMEOUT_MS;
      for (;;) {
        const next = await Promise.race([pending, sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
        if (!next || next.done) throw new Error(`${subject}: no appointmentChanged within ${SAMPLE_TIMEOUT_MS} ms`);
        pending = subscription.next();
        if (next.value.data?.appointmentChanged.appointment.subject === subject) break;
      }
      toSubscription.push(performance.now() - started);
      await receiver.waitFor(webhooksBefore + 1, SAMPLE_TIMEOUT_MS);
      toWebhook.push(performance.now() - started);
    }
  } finally {
    await subscription.return?.();
  }
  const row = (label: string, values: number[]): BenchResult => {
    const sorted = [...values].sort((a, b) => a - b);
    return { label: `${provider}: ${label}`, figures: { samples: String(sorted.length), median: ms(percentile(sorted, 50)), p95: ms(percentile(sorted, 95)), max: ms(sorted.at(-1) ?? NaN) } };
  };
  return [row('change → appointmentChanged', toSubscription), row('change → webhook received', toWebhook)];
}
