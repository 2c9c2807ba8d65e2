import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderKind } from '../src/domain/model.js';
import { TOPICS } from '../src/events/pubsub-topics.js';
import { Appointment, Calendar } from '../src/store/entities/index.js';
import { CreateWebhookEndpointDocument } from '../test/graphql/generated.js';
import { startWebhookReceiver } from '../test/helpers/webhook-receiver.js';
import { addUser, createTenantWithUser, linkOk, sandboxKit, startLinkingHub, type LinkingHub } from '../test/e2e/linking/linking-harness.js';
import { ms, percentile, type BenchModule, type BenchResult } from './bench-module.js';

const SAMPLE_TIMEOUT_MS = 15_000;

/**
 * Inbound latency with push: an event made at the provider (the emulator's control API, "the other
 * side") until (1) the hub publishes `appointmentChanged` for it — the event the GraphQL
 * subscription forwards — and (2) the host's receiver gets the signed `appointment.changed`
 * webhook. One change at a time, against the in-process sandbox emulators with their default
 * notification delays (Graph batches notifications for 1 s, Google's channel waits 200 ms). Polls
 * are 3 minutes apart: every change arrives through push.
 */
export const pushLatencyBench: BenchModule = {
  name: 'push latency',
  description: 'provider change → appointmentChanged and → webhook received, through push notifications (sandbox emulators, SQLite, one hub process)',
  async run({ scale }) {
    const t = await startLinkingHub({ PUSH_NOTIFICATIONS: 'on', LOG_LEVEL: 'silent' });
    const receiver = await startWebhookReceiver();
    const results: BenchResult[] = [];
    try {
      const tenant = await createTenantWithUser(t, 'Push bench', { hostUserId: 'bench-owner', email: null });
      const webhooksAvailable = await schemaHas(t, 'appointmentChanged');
      if (webhooksAvailable) {
        const created = await t.gql(CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['appointment.changed'] } }, tenant.key);
        receiver.secret = created.data!.createWebhookEndpoint.secret;
      }
      const samples = Math.max(10, Math.round(100 * scale));
      for (const provider of ['MICROSOFT', 'GOOGLE'] as const) {
        results.push(...(await measure(t, tenant.key, provider, samples, webhooksAvailable ? receiver : null)));
      }
    } finally {
      await receiver.close();
      await t.close();
    }
    return results;
  },
};

async function schemaHas(t: LinkingHub, field: string): Promise<boolean> {
  const result = await t.rawGql('{ __schema { subscriptionType { fields { name } } } }', {}, t.admin);
  const fields = (result.data as { __schema: { subscriptionType: { fields: { name: string }[] } } }).__schema.subscriptionType.fields;
  return fields.some((f) => f.name === field);
}

async function measure(t: LinkingHub, key: string, provider: ProviderKind, samples: number, receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | null): Promise<BenchResult[]> {
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

  const events = t.hub.pubsub.subscribeTyped(TOPICS.APPOINTMENT_CHANGED);
  const toEvent: number[] = [];
  const toWebhook: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const subject = `${provider} push ${i}`;
      const webhooksBefore = receiver?.received.length ?? 0;
      const started = performance.now();
      kit.createUserEvent(email, calendar.providerCalendarId, subject);
      const deadline = Date.now() + SAMPLE_TIMEOUT_MS;
      for (;;) {
        const next = await Promise.race([events.next(), sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
        if (!next || next.done) throw new Error(`${subject}: no appointmentChanged within ${SAMPLE_TIMEOUT_MS} ms`);
        if (next.value.kind !== 'CREATED') continue;
        const appointment = await em().findOne(Appointment, { id: next.value.appointmentId });
        if (appointment?.subject === subject) break;
      }
      toEvent.push(performance.now() - started);
      if (receiver) {
        await receiver.waitFor(webhooksBefore + 1, SAMPLE_TIMEOUT_MS);
        toWebhook.push(performance.now() - started);
      }
    }
  } finally {
    await events.return?.();
  }
  const row = (label: string, values: number[]): BenchResult => {
    const sorted = [...values].sort((a, b) => a - b);
    return { label: `${provider}: ${label}`, figures: { samples: String(sorted.length), median: ms(percentile(sorted, 50)), p95: ms(percentile(sorted, 95)), max: ms(sorted.at(-1) ?? NaN) } };
  };
  const rows = [row('change → appointmentChanged', toEvent)];
  rows.push(receiver ? row('change → webhook received', toWebhook) : { label: `${provider}: change → webhook received`, figures: { samples: 'n/a: this schema has no appointmentChanged subscription yet' } });
  return rows;
}
