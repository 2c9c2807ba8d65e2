import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventData } from '../../../src/domain/appointment.js';
import { asProviderEventId, isProviderError, type ProviderCalendarId, type ProviderError } from '../../../src/providers/calendar-provider.js';
import { createMicrosoftGraphModule, type MicrosoftGraphModule } from '../../../src/providers/microsoft-graph/microsoft-graph.module.js';
import { startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../helpers/microsoft-emulator.js';
import { linkAccount, settingsFor, silentLogger, TEST_TUNING, uniqueEmail } from '../../helpers/microsoft-provider-harness.js';

let env: MicrosoftTestEnv;
let module: MicrosoftGraphModule;

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  module = createMicrosoftGraphModule(settingsFor(env), { logger: silentLogger, tuning: TEST_TUNING });
});
afterEach(() => {
  env.core.faults.clear();
});
afterAll(async () => {
  await module?.close();
  await env?.close();
});

const DAY = 86_400_000;

function eventData(over: Partial<EventData> = {}): EventData {
  const start = new Date(Date.now() + 3 * DAY);
  start.setUTCHours(9, 0, 0, 0);
  return {
    subject: 'Resilience',
    body: null,
    timing: { allDay: false, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), timeZone: 'Europe/Zurich' },
    location: null,
    attendees: [],
    reminders: [],
    recurrence: null,
    showAs: 'BUSY',
    sensitivity: 'NORMAL',
    ...over,
  };
}

async function linked(prefix: string) {
  const email = uniqueEmail(prefix);
  const info = env.ms.control.createAccount({ email });
  const primary = env.ms.control.listCalendars(email).find((c) => c.isDefaultCalendar)!.id as ProviderCalendarId;
  const link = await linkAccount(env, module, email);
  const seed = (n: number) => Array.from({ length: n }, (_, i) => env.ms.control.createEvent(email, primary, { subject: `Seed ${i}`, start: { dateTime: '2030-01-07T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-07T10:00:00', timeZone: 'UTC' } }).id as string);
  const counter = (route: string) => env.core.counters.total({ provider: 'microsoft', route, account: info.id });
  const statuses = (route: string) => env.core.counters.snapshot({ provider: 'microsoft', route, account: info.id }).reduce<Record<string, number>>((acc, row) => {
    for (const [status, n] of Object.entries(row.statuses)) acc[status] = (acc[status] ?? 0) + n;
    return acc;
  }, {});
  return { email, info, primary, seed, counter, statuses, ...link };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('MicrosoftGraphProvider resilience', () => {
  it('keeps a burst of 12 calls on one mailbox within 4 at a time, so Outlook never throttles it', async () => {
    const { email, primary, provider, seed, counter, statuses } = await linked('burst');
    const ids = seed(12);
    env.core.faults.add({ provider: 'microsoft', route: 'graph.events.get', account: email, action: { kind: 'latency', ms: 60 }, trigger: { mode: 'always' } });
    const events = await Promise.all(ids.map((id) => provider.getEvent(primary, asProviderEventId(id))));
    expect(events.map((e) => e?.data.subject)).toEqual(ids.map((_, i) => `Seed ${i}`));
    await expect.poll(() => counter('graph.events.get').requests).toBe(12);
    expect(statuses('graph.events.get')).toEqual({ '200': 12 });
  });

  it('deletes many events in $batches of at most 20, counting missing ones as deleted', async () => {
    const { email, primary, provider, seed, counter } = await linked('bulk');
    const ids = seed(23);
    const gone = ids.pop()!;
    env.ms.control.deleteEvent(email, gone);
    const results = await provider.deleteEvents!(primary, [...ids, gone].map(asProviderEventId));
    expect(results.map((r) => r.error)).toEqual(new Array(23).fill(null));
    expect(results.map((r) => r.eventId)).toEqual([...ids, gone]);
    expect(env.ms.control.listEvents(email, primary)).toEqual([]);
    await expect.poll(() => counter('graph.batch').requests).toBe(2);
    expect(counter('graph.events.delete')).toMatchObject({ requests: 0, batchedRequests: 23 });
  });

  it('waits out a throttled part of a $batch and sends it again', async () => {
    const { email, primary, provider, seed, statuses } = await linked('inner429');
    const ids = seed(5);
    env.core.faults.add({ provider: 'microsoft', route: 'graph.events.delete', account: email, action: { kind: 'status', status: 429, retryAfterSeconds: 1 }, trigger: { mode: 'times', count: 2 } });
    const results = await provider.deleteEvents!(primary, ids.map(asProviderEventId));
    expect(results.every((r) => r.error === null)).toBe(true);
    expect(env.ms.control.listEvents(email, primary)).toEqual([]);
    await expect.poll(() => statuses('graph.events.delete')).toEqual({ '429': 2, '204': 5 });
  });

  it('reports parts that keep failing one by one, without hiding them', async () => {
    const { email, primary, provider, seed } = await linked('inner503');
    const ids = seed(3);
    env.core.faults.add({ provider: 'microsoft', route: 'graph.events.delete', account: email, action: { kind: 'status', status: 503 }, trigger: { mode: 'always' } });
    const results = await provider.deleteEvents!(primary, ids.map(asProviderEventId));
    expect(results.map((r) => r.error?.code)).toEqual(['TRANSIENT', 'TRANSIENT', 'TRANSIENT']);
    expect(env.ms.control.listEvents(email, primary)).toHaveLength(3);
  });

  it('refuses a recurrence Outlook cannot hold with the reason, and writes nothing', async () => {
    const { primary, provider, counter } = await linked('refused');
    const error = await failureOf(provider.createEvent({ calendarId: primary, idempotencyKey: 'map_refused', data: eventData({ recurrence: { rrule: 'FREQ=MONTHLY;BYDAY=1MO,3MO', exdates: [], rdates: [] } }) }));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toMatch(/several ordinal weekdays/);
    expect(counter('graph.events.create').requests).toBe(0);
  });

  it('retries an update once when Exchange answers 412 although no version was sent (B8)', async () => {
    const { email, primary, provider, counter } = await linked('busy412');
    const created = await provider.createEvent({ calendarId: primary, idempotencyKey: 'map_412', data: eventData() });
    env.core.faults.add({
      provider: 'microsoft',
      route: 'graph.events.update',
      account: email,
      action: { kind: 'status', status: 412, body: { error: { code: 'ErrorIrresolvableConflict', message: 'The change key passed in the request does not match the current change key for the item.' } } },
      trigger: { mode: 'once' },
    });
    const updated = await provider.updateEvent({ calendarId: primary, eventId: created.id, data: eventData({ subject: 'After the conflict' }), ifMatch: null });
    expect(updated.data.subject).toBe('After the conflict');
    await expect.poll(() => counter('graph.events.update').requests).toBe(2);
  });

  it('writes the Windows zone name when Graph refuses an IANA zone', async () => {
    const { email, primary, provider } = await linked('zone');
    env.core.faults.add({
      provider: 'microsoft',
      route: 'graph.events.create',
      account: email,
      action: { kind: 'status', status: 400, body: { error: { code: 'TimeZoneNotSupportedException', message: "A valid TimeZone value must be specified. The following TimeZone value is not supported: 'Europe/Zurich'." } } },
      trigger: { mode: 'once' },
    });
    const data = eventData();
    const created = await provider.createEvent({ calendarId: primary, idempotencyKey: 'map_zone', data });
    expect(env.ms.control.listEvents(email, primary)[0]).toMatchObject({ originalStartTimeZone: 'W. Europe Standard Time' });
    expect(created.data.timing).toEqual({ ...data.timing, timeZone: 'Europe/Berlin' });
  });

  it('gives up on a Retry-After longer than its wait budget at once, with the delay asked for', async () => {
    const { email, primary, provider, seed, counter } = await linked('longwait');
    const [id] = seed(1);
    env.core.faults.add({ provider: 'microsoft', route: 'graph.events.get', account: email, action: { kind: 'status', status: 429, retryAfterSeconds: 120 }, trigger: { mode: 'always' } });
    const error = await failureOf(provider.getEvent(primary, asProviderEventId(id!)));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterMs: 120_000, status: 429 } });
    await expect.poll(() => counter('graph.events.get').requests).toBe(1);
  });
});

