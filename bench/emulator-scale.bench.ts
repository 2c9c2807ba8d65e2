import { performance } from 'node:perf_hooks';
import type { CalendarProvider, ProviderCalendarId } from '../src/providers/calendar-provider.js';
import type { ContractHarness } from '../test/integration/providers/calendar-provider.contract.js';
import { googleContractHarness, startGoogleProviderEnv } from '../test/helpers/google-provider-harness.js';
import { startMicrosoftTestEnv } from '../test/helpers/microsoft-emulator.js';
import { makeMicrosoftContractHarness, startGraphWebhook } from '../test/helpers/microsoft-provider-harness.js';
import { ms, type BenchModule, type BenchResult } from './bench-module.js';

/**
 * A full read of a 10,000-event calendar through each adapter against its in-process emulator:
 * time, CPU (adapter and emulator together), requests and pages. It shows what the emulators
 * cost at scale: while they index their calendars per request (a Graph delta page rebuilds and
 * sorts every event's instances, a Google page re-sorts and scans the calendar), this read is
 * mostly emulator, and scale benchmarks measure the emulator more than the hub.
 */

const DAY = 86_400_000;

async function fullRead(provider: CalendarProvider, calendarId: ProviderCalendarId) {
  const window = { start: new Date(Date.now() - 7 * DAY).toISOString(), end: new Date(Date.now() + 400 * DAY).toISOString() };
  let pages = 0;
  let changes = 0;
  for await (const page of provider.readChanges({ calendarId, cursor: null, window })) {
    pages += 1;
    changes += page.changes.length;
  }
  return { pages, changes };
}

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
  const read = await fullRead(h.provider, h.primary);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    label: `${name}: full read of ${events} events`,
    figures: {
      time: ms(wall),
      'cpu (hub+emulator)': ms((used.user + used.system) / 1000),
      requests: String(h.providerTraffic().requests - before.requests),
      pages: String(read.pages),
      changes: String(read.changes),
      'seeding (control API)': ms(seedMs),
    },
  };
}

export const emulatorScaleBench: BenchModule = {
  name: 'emulator scale',
  description: 'full read of a 10,000-event calendar (1,000 with --quick) through the adapters against the in-process emulators',
  async run({ scale }) {
    const events = Math.max(1000, Math.round(10_000 * scale));
    const results: BenchResult[] = [];
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
    const google = await startGoogleProviderEnv();
    try {
      const h = await googleContractHarness(google);
      results.push(await measure(h, 'Google Calendar', events));
      await h.close();
    } finally {
      await google.close();
    }
    return results;
  },
};
