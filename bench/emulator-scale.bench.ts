import { performance } from 'node:perf_hooks';
import type { CalendarProvider, ProviderCalendarId, ProviderCursor } from '../src/providers/calendar-provider.js';
import type { ContractHarness } from '../test/integration/providers/calendar-provider.contract.js';
import { googleContractHarness, startGoogleProviderEnv } from '../test/helpers/google-provider-harness.js';
import { startMicrosoftTestEnv } from '../test/helpers/microsoft-emulator.js';
import { makeMicrosoftContractHarness, startGraphWebhook } from '../test/helpers/microsoft-provider-harness.js';
import { ms, type BenchModule, type BenchResult } from './bench-module.js';

/**
 * A full read of a 1,000- and a 10,000-event calendar through each adapter against its in-process
 * emulator: time, CPU (adapter and emulator together), requests and pages, CPU per event, then
 * the CPU of an incremental read with nothing changed (a delta-token / sync-token poll). The
 * emulators index their stores (events by calendar, a delta round computed once and paged by
 * binary search, sync-token reads from an index of changes), so CPU per event stays flat from
 * 1,000 to 10,000 events and a poll does not grow with the calendar; when they rebuilt and
 * sorted a calendar per page and scanned it per poll, the 10,000-event read cost ~10× more per
 * event than the 1,000-event one and scale benchmarks measured the emulator.
 */

const DAY = 86_400_000;
const POLLS = 20;

async function fullRead(provider: CalendarProvider, calendarId: ProviderCalendarId, cursor: ProviderCursor | null) {
  const window = { start: new Date(Date.now() - 7 * DAY).toISOString(), end: new Date(Date.now() + 400 * DAY).toISOString() };
  let pages = 0;
  let changes = 0;
  let next: ProviderCursor | null = null;
  for await (const page of provider.readChanges({ calendarId, cursor, window })) {
    pages += 1;
    changes += page.changes.length;
    next = page.nextCursor ?? next;
  }
  return { pages, changes, cursor: next };
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function measure(h: ContractHarness, name: string, events: number): Promise<BenchResult> {
  const seedStarted = performance.now();
  for (let i = 0; i < events; i++) {
    const start = new Date(Date.now() + (1 + (i % 360)) * DAY + (i % 10) * 3_600_000);
    await h.other.createEvent(h.primary, { subject: `Event ${i}`, start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), timeZone: 'UTC' });
  }
  const seedMs = performance.now() - seedStarted;
  const before = h.providerTraffic();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const read = await fullRead(h.provider, h.primary, null);
  const wall = performance.now() - started;
  const readCpu = cpuMs(cpu);
  const requests = h.providerTraffic().requests - before.requests;
  const pollCpu = process.cpuUsage();
  let cursor = read.cursor;
  for (let i = 0; i < POLLS; i++) cursor = (await fullRead(h.provider, h.primary, cursor)).cursor;
  return {
    label: `${name}: ${events} events`,
    figures: {
      'full read': ms(wall),
      'cpu (hub+emulator)': ms(readCpu),
      'cpu per event': `${((readCpu * 1000) / events).toFixed(0)} µs`,
      requests: String(requests),
      pages: String(read.pages),
      changes: String(read.changes),
      'cpu per poll (no change)': ms(cpuMs(pollCpu) / POLLS),
      'seeding (control API)': ms(seedMs),
    },
  };
}

export const emulatorScaleBench: BenchModule = {
  name: 'emulator scale',
  description: 'full read of a 1,000- and a 10,000-event calendar (1,000 only with --quick) through the adapters against the in-process emulators, then polls with nothing changed',
  async run({ scale }) {
    const sizes = scale < 1 ? [1000] : [1000, 10_000];
    const results: BenchResult[] = [];
    for (const events of sizes) {
      const msEnv = await startMicrosoftTestEnv({ throttleRetryAfterSeconds: 0 });
      const webhook = await startGraphWebhook();
      try {
        const h = await makeMicrosoftContractHarness(msEnv, webhook.url);
        results.push(await measure(h, 'Microsoft Graph', events));
        await h.close();
      } finally {
        await webhook.close();
        await msEnv.close();
      }
    }
    for (const events of sizes) {
      const google = await startGoogleProviderEnv();
      try {
        const h = await googleContractHarness(google);
        results.push(await measure(h, 'Google Calendar', events));
        await h.close();
      } finally {
        await google.close();
      }
    }
    return results;
  },
};
