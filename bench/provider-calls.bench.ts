import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import type { CalendarProvider, ExternalEvent, ProviderCalendarId, ProviderCursor, ProviderEventId } from '../src/providers/calendar-provider.js';
import { createCaFetch } from '../src/providers/microsoft-graph/graph-fetch.js';
import { eventData, type ContractHarness } from '../test/integration/providers/calendar-provider.contract.js';
import { googleContractHarness, startGoogleProviderEnv } from '../test/helpers/google-provider-harness.js';
import { startMicrosoftTestEnv, type MicrosoftTestEnv } from '../test/helpers/microsoft-emulator.js';
import { makeMicrosoftContractHarness, startGraphWebhook } from '../test/helpers/microsoft-provider-harness.js';
import { ms, percentile, type BenchModule, type BenchResult } from './bench-module.js';

/**
 * What the adapters cost at the provider — wire requests, batch parts (counted apart) and bytes,
 * as the emulators count them — and in time and CPU, through the real SDKs against the
 * in-process emulators (so CPU is the hub's adapter and the emulator together). Each calendar
 * holds single events and weekly series. A cold read is the first on a new connection (tokens,
 * TLS, first pages); a warm one repeats it. Also, in the same run, the two settings this issue
 * changed: Google's page size (250 before, 2,500 now) and the Graph transport's TLS setup (the CA
 * list as `ca` on the agent before, one TLS context now).
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

interface Cost<T> {
  value: T;
  requests: number;
  batchParts: number;
  kb: number;
  ms: number;
  cpuMs: number;
}

async function measureCost<T>(h: ContractHarness, fn: () => Promise<T>): Promise<Cost<T>> {
  const before = h.providerTraffic();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const after = h.providerTraffic();
  return {
    value,
    requests: after.requests - before.requests,
    batchParts: after.batchedRequests - before.batchedRequests,
    kb: (after.bytesIn - before.bytesIn + after.bytesOut - before.bytesOut) / 1024,
    ms: wall,
    cpuMs: (used.user + used.system) / 1000,
  };
}

const costFigures = (c: Cost<unknown>, per = 1): Record<string, string> => ({
  requests: (c.requests / per).toFixed(per === 1 ? 0 : 1),
  'batch parts': (c.batchParts / per).toFixed(per === 1 ? 0 : 1),
  'KB (in+out)': (c.kb / per).toFixed(1),
  time: ms(c.ms / per),
  'cpu (hub+emulator)': ms(c.cpuMs / per),
});

/** `singles` one-off events and `series` weekly series of 10 over the next 90 days, made by the user at the provider. */
async function seed(h: ContractHarness, singles: number, series: number): Promise<void> {
  const at = (i: number) => new Date(Date.now() + (2 + (i % 90)) * DAY + (i % 8) * 3_600_000);
  for (let i = 0; i < singles; i++) {
    const start = at(i);
    await h.other.createEvent(h.primary, { subject: `Seeded ${i}`, start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), timeZone: 'UTC' });
  }
  for (let i = 0; i < series; i++) {
    const start = at(i * 3 + 1);
    await h.other.createWeeklySeries(h.primary, { subject: `Weekly ${i}`, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), timeZone: 'UTC', count: 10 });
  }
}

async function measure(h: ContractHarness, name: string, singles: number, series: number): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  await seed(h, singles, series);
  const calendar = `${singles} events + ${series} series`;

  const cold = await measureCost(h, () => readAll(h.provider, h.primary, null));
  results.push({ label: `${name}: full read, cold (${calendar})`, figures: { ...costFigures(cold), pages: String(cold.value.pages), changes: String(cold.value.changes) } });
  const warm = await measureCost(h, () => readAll(h.provider, h.primary, null));
  results.push({ label: `${name}: full read, warm`, figures: { ...costFigures(warm), pages: String(warm.value.pages), changes: String(warm.value.changes) } });

  let cursor = warm.value.cursor;
  const polls = 20;
  const pollCosts: Cost<unknown>[] = [];
  for (let i = 0; i < polls; i++) {
    const poll = await measureCost(h, () => readAll(h.provider, h.primary, cursor));
    cursor = poll.value.cursor ?? cursor;
    pollCosts.push(poll);
  }
  const pollTotal = pollCosts.reduce((sum, c) => ({ ...sum, requests: sum.requests + c.requests, batchParts: sum.batchParts + c.batchParts, kb: sum.kb + c.kb, ms: sum.ms + c.ms, cpuMs: sum.cpuMs + c.cpuMs }));
  const pollMs = pollCosts.map((c) => c.ms).sort((a, b) => a - b);
  results.push({ label: `${name}: poll, nothing new (per poll)`, figures: { ...costFigures(pollTotal, polls), p95: ms(percentile(pollMs, 95)) } });

  const ids = await h.other.listEventIds(h.primary);
  for (const id of ids.slice(0, 10)) await h.other.renameEvent(h.primary, id as ProviderEventId, 'Renamed outside');
  const changed = await measureCost(h, () => readAll(h.provider, h.primary, cursor));
  results.push({ label: `${name}: poll after 10 changes`, figures: { ...costFigures(changed), changes: String(changed.value.changes) } });

  const creates = Math.min(50, singles);
  const created = await measureCost(h, async () => {
    for (let i = 0; i < creates; i++) {
      await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: `map_01BENCH${String(i).padStart(18, '0')}`, data: eventData({ subject: `Hub ${i}` }) });
    }
  });
  results.push({ label: `${name}: create (per event)`, figures: costFigures(created, creates) });

  const cleanup = await measureCost(h, async () => {
    const found: ExternalEvent[] = [];
    for await (const batch of h.provider.findHubEvents(h.primary)) found.push(...batch);
    if (h.provider.deleteEvents) await h.provider.deleteEvents(h.primary, found.map((e) => e.id));
    else for (const e of found) await h.provider.deleteEvent({ calendarId: h.primary, eventId: e.id, ifMatch: null });
    return found.length;
  });
  results.push({ label: `${name}: cleanup of ${cleanup.value} hub events`, figures: costFigures(cleanup) });
  return results;
}

/**
 * CPU per HTTPS request through the Graph transport's agent: as it was (the system roots plus the
 * emulator CA passed as `ca`, which Node copies into the pool key of every request) and as it is
 * (`createCaFetch`: one TLS context). Same emulator endpoint, keep-alive, sequential.
 */
async function transportCpu(env: MicrosoftTestEnv, requests: number): Promise<BenchResult[]> {
  const url = `${env.ms.authority('common')}v2.0/.well-known/openid-configuration`;
  const before = new https.Agent({ keepAlive: true, ca: [...rootCertificates, env.caPem] });
  const getBefore = () =>
    new Promise<void>((resolve, reject) => {
      https
        .get(url, { agent: before }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        })
        .on('error', reject);
    });
  const after = createCaFetch({ caPem: env.caPem });
  const getAfter = async () => void (await (await after(url)).arrayBuffer());
  const perRequest = async (get: () => Promise<void>) => {
    for (let i = 0; i < 50; i++) await get(); // warm-up: connection, JIT
    const cpu = process.cpuUsage();
    for (let i = 0; i < requests; i++) await get();
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000 / requests;
  };
  try {
    const old = await perRequest(getBefore);
    const now = await perRequest(getAfter);
    return [
      { label: 'Graph transport: CA list as `ca` (before)', figures: { requests: String(requests), 'cpu (hub+emulator)': ms(old) } },
      { label: 'Graph transport: one TLS context (now)', figures: { requests: String(requests), 'cpu (hub+emulator)': ms(now) } },
    ];
  } finally {
    before.destroy();
    after.close();
  }
}

export const providerCallsBench: BenchModule = {
  name: 'provider calls',
  description: 'adapter cost in requests, batch parts, bytes, time and CPU, through the real SDKs against the in-process emulators (loopback)',
  async run({ scale }) {
    const singles = Math.max(20, Math.round(300 * scale));
    const series = Math.max(3, Math.round(30 * scale));
    const results: BenchResult[] = [];

    const msEnv = await startMicrosoftTestEnv({ throttleRetryAfterSeconds: 0 });
    const webhook = await startGraphWebhook();
    try {
      results.push(...(await transportCpu(msEnv, Math.max(100, Math.round(1000 * scale)))));
      const h = await makeMicrosoftContractHarness(msEnv, webhook.url);
      results.push(...(await measure(h, 'Microsoft Graph', singles, series)));
      await h.close();
    } finally {
      await webhook.close();
      await msEnv.close();
    }

    const google = await startGoogleProviderEnv();
    try {
      const h = await googleContractHarness(google);
      results.push(...(await measure(h, 'Google Calendar', singles, series)));
      await h.close();
    } finally {
      await google.close();
    }

    // Google's page size, before and after, on a calendar big enough to page.
    const bigCalendar = Math.max(600, Math.round(3000 * scale));
    for (const pageSize of [250, 2500]) {
      const env = await startGoogleProviderEnv({ settings: { pageSize } });
      try {
        const h = await googleContractHarness(env);
        await seed(h, bigCalendar, 0);
        const full = await measureCost(h, () => readAll(h.provider, h.primary, null));
        results.push({
          label: `Google Calendar: full read of ${bigCalendar} events, ${pageSize} per page${pageSize === 250 ? ' (before)' : ' (now)'}`,
          figures: { ...costFigures(full), pages: String(full.value.pages) },
        });
        await h.close();
      } finally {
        await env.close();
      }
    }
    return results;
  },
};
