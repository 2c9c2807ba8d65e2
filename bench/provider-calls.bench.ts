import { performance } from 'node:perf_hooks';
import type { CalendarProvider, ExternalEvent, ProviderCalendarId, ProviderCursor, ProviderEventId } from '../src/providers/calendar-provider.js';
import { eventData, type ContractHarness } from '../test/integration/providers/calendar-provider.contract.js';
import { googleContractHarness, startGoogleProviderEnv } from '../test/helpers/google-provider-harness.js';
import { startMicrosoftTestEnv } from '../test/helpers/microsoft-emulator.js';
import { makeMicrosoftContractHarness, startGraphWebhook } from '../test/helpers/microsoft-provider-harness.js';
import { ms, percentile, type BenchModule, type BenchResult } from './bench-module.js';

/**
 * What the adapters cost in provider requests (the quota a hub spends) and time, against the
 * emulators through the real SDKs: a full read of a calendar, a poll with nothing new, a poll after
 * a few changes, creates, and the cleanup of everything the hub wrote. Requests are counted by the
 * emulators on the wire (batch parts are counted apart).
 */

const DAY = 86_400_000;

function window() {
  return { start: new Date(Date.now() - 7 * DAY).toISOString(), end: new Date(Date.now() + 120 * DAY).toISOString() };
}

async function readAll(provider: CalendarProvider, calendarId: ProviderCalendarId, cursor: ProviderCursor | null) {
  let pages = 0;
  let changes = 0;
  let next: ProviderCursor | null = null;
  for await (const page of provider.readChanges({ calendarId, cursor, window: window() })) {
    pages += 1;
    changes += page.changes.length;
    next = page.nextCursor ?? next;
  }
  return { pages, changes, cursor: next };
}

async function measure(h: ContractHarness, name: string, events: number): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const cost = async <T>(fn: () => Promise<T>): Promise<{ value: T; requests: number; ms: number }> => {
    const before = h.providerRequests();
    const started = performance.now();
    const value = await fn();
    return { value, requests: h.providerRequests() - before, ms: performance.now() - started };
  };

  for (let i = 0; i < events; i++) {
    const start = new Date(Date.now() + (2 + (i % 90)) * DAY + (i % 8) * 3_600_000);
    await h.other.createEvent(h.primary, { subject: `Seeded ${i}`, start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), timeZone: 'UTC' });
  }

  const full = await cost(() => readAll(h.provider, h.primary, null));
  results.push({ label: `${name}: full read`, figures: { events: String(events), requests: String(full.requests), pages: String(full.value.pages), time: ms(full.ms) } });

  let cursor = full.value.cursor;
  const pollMs: number[] = [];
  let pollRequests = 0;
  for (let i = 0; i < 20; i++) {
    const poll = await cost(() => readAll(h.provider, h.primary, cursor));
    cursor = poll.value.cursor ?? cursor;
    pollMs.push(poll.ms);
    pollRequests += poll.requests;
  }
  pollMs.sort((a, b) => a - b);
  results.push({ label: `${name}: poll, nothing new`, figures: { requests: (pollRequests / 20).toFixed(1), p50: ms(percentile(pollMs, 50)), p95: ms(percentile(pollMs, 95)) } });

  const ids = await h.other.listEventIds(h.primary);
  for (const id of ids.slice(0, 10)) await h.other.renameEvent(h.primary, id as ProviderEventId, 'Renamed outside');
  const changed = await cost(() => readAll(h.provider, h.primary, cursor));
  results.push({ label: `${name}: poll after 10 changes`, figures: { changes: String(changed.value.changes), requests: String(changed.requests), time: ms(changed.ms) } });

  const creates = Math.min(50, events);
  const createMs: number[] = [];
  let createRequests = 0;
  for (let i = 0; i < creates; i++) {
    const c = await cost(() => h.provider.createEvent({ calendarId: h.primary, idempotencyKey: `map_01BENCH${String(i).padStart(18, '0')}`, data: eventData({ subject: `Hub ${i}` }) }));
    createMs.push(c.ms);
    createRequests += c.requests;
  }
  createMs.sort((a, b) => a - b);
  results.push({ label: `${name}: create`, figures: { events: String(creates), requests: (createRequests / creates).toFixed(1), p50: ms(percentile(createMs, 50)), p95: ms(percentile(createMs, 95)) } });

  const cleanup = await cost(async () => {
    const found: ExternalEvent[] = [];
    for await (const batch of h.provider.findHubEvents(h.primary)) found.push(...batch);
    if (h.provider.deleteEvents) await h.provider.deleteEvents(h.primary, found.map((e) => e.id));
    else for (const e of found) await h.provider.deleteEvent({ calendarId: h.primary, eventId: e.id, ifMatch: null });
    return found.length;
  });
  results.push({ label: `${name}: cleanup`, figures: { events: String(cleanup.value), requests: String(cleanup.requests), time: ms(cleanup.ms) } });
  return results;
}

export const providerCallsBench: BenchModule = {
  name: 'provider calls',
  description: 'adapter cost in provider requests and time, through the real SDKs against the emulators (loopback)',
  async run({ scale }) {
    const events = Math.max(20, Math.round(300 * scale));
    const results: BenchResult[] = [];

    const msEnv = await startMicrosoftTestEnv({ throttleRetryAfterSeconds: 0 });
    const webhook = await startGraphWebhook();
    try {
      const h = await makeMicrosoftContractHarness(msEnv, webhook.url);
      results.push(...(await measure(h, 'Microsoft Graph', events)));
      await h.close();
    } finally {
      await webhook.close();
      await msEnv.close();
    }

    const google = await startGoogleProviderEnv();
    try {
      const h = await googleContractHarness(google);
      results.push(...(await measure(h, 'Google Calendar', events)));
      await h.close();
    } finally {
      await google.close();
    }
    return results;
  },
};
