import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import type { JournalEntry } from '@calendar-sync-hub/emulators';
import type { ProviderKind } from '../src/domain/model.js';
import { waitFor } from '../test/helpers/hub-harness.js';
import { freePort, startHubProcess, startProviderSide, type HubProcess, type ProviderSide } from '../test/helpers/hub-process.js';
import { driveConsent } from '../test/helpers/microsoft-emulator.js';
import { submitConsent } from '../test/helpers/google-consent.js';
import { addUser, createTenantWithUser, linkOk, type LinkDriver } from '../test/e2e/linking/linking-harness.js';
import { linkedUser, processDriver, slot, type SyncUser } from '../test/e2e/sync/sync-harness.js';
import { ms, percentile, type BenchModule, type BenchResult } from './bench-module.js';
import { treeUsage } from './processes.js';

/**
 * The sync engine against the emulators, with the hub in a process of its own (as deployed) and the
 * load — the integrator's GraphQL calls, the user's edits at the provider, the emulators answering
 * the hub — in this process:
 * 1. outbound: `upsertAppointment` returns → the event exists at the provider;
 * 2. inbound at a 1 s poll interval: an edit at the provider → `appointmentChanged` delivered over graphql-ws;
 * 3. what an idle poll of a calendar of 1,000 events costs at the provider (requests, batch parts,
 *    bytes, from the emulators' counters) against re-reading a 60-days-back / 90-days-ahead window;
 * 4. idle polls per second one hub process completes across many links, with its CPU per poll and
 *    peak RSS, and from that the users one process serves at a 3-minute cadence.
 * Users are linked through the real OAuth flow (consent at the emulator, callback at the hub).
 */

const DAY = 86_400_000;
const KINDS: ProviderKind[] = ['MICROSOFT', 'GOOGLE'];
const EMULATOR: Record<ProviderKind, 'microsoft' | 'google'> = { MICROSOFT: 'microsoft', GOOGLE: 'google' };
const CREATE_ROUTE: Record<ProviderKind, string> = { MICROSOFT: 'graph.events.create', GOOGLE: 'google.events.insert' };
/** The request an incremental read (and so an idle poll) makes. */
const READ_ROUTE: Record<ProviderKind, string> = { MICROSOFT: 'graph.calendarView.delta', GOOGLE: 'google.events.list' };

/**
 * The hub as deployed, apart from the cadence each part sets: the job scheduler's default scan
 * (JOBS_POLL_INTERVAL_MS 2 s; the process helper's own default is the tests' 200 ms) and logging
 * at `info`, so the hub pays for its log lines as in production.
 */
// Polling and outbound only: push notifications (measured by the push latency bench) would make
// PUSH runs carry the writes. The load generator's one key sends far more than a host would.
const HUB_ENV = { JOBS_POLL_INTERVAL_MS: '2000', LOG_LEVEL: 'info', PUSH_NOTIFICATIONS: 'off', GRAPHQL_RATE_LIMIT_PER_MINUTE: '0' };

// ---------------------------------------------------------------------------------------------
// Helpers

interface BenchHub {
  hub: HubProcess;
  driver: LinkDriver & { browser: { close(): void } };
  dataDir: string;
  /** Stops the hub; its data folder is removed unless `keepData` (another hub starts on it). */
  close(options?: { keepData?: boolean }): Promise<void>;
}

async function startBenchHub(providers: ProviderSide, env: Record<string, string>, dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-sync-'))): Promise<BenchHub> {
  const port = await freePort();
  providers.registerHub(`http://127.0.0.1:${port}`);
  // BENCH_HUB_CPU_PROFILE=<folder>: each hub process writes a CPU profile there when it stops.
  const profile = process.env.BENCH_HUB_CPU_PROFILE;
  const profiling: Record<string, string> = profile ? { NODE_OPTIONS: `--import=${path.join(import.meta.dirname, 'hub-cpu-profile.mjs')}`, BENCH_HUB_CPU_PROFILE: path.resolve(profile) } : {};
  const hub = await startHubProcess({ dataDir, port, providers, env: { ...HUB_ENV, ...profiling, ...env } });
  const driver = processDriver(() => hub, providers, hub.adminKey ?? '');
  return {
    hub,
    driver,
    dataDir,
    async close(options = {}) {
      await hub.stop();
      driver.browser.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The main (JavaScript) thread of a process, from /proc/<pid>/task/<pid>/schedstat: time on a CPU
 * and time runnable but waiting for one (the machine's other work). The rest of the wall-clock
 * time it slept: waiting for I/O, timers or locks.
 */
function mainThreadSched(pid: number): { runMs: number; waitMs: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
  return { runMs: run! / 1e6, waitMs: wait! / 1e6 };
}

interface HubWindow {
  seconds: number;
  /** CPU time of the whole process (all threads). */
  cpuMs: number;
  /** CPU time as a share of one core, e.g. "35% of a core". */
  cpu: string;
  /** How the main thread spent the window: on a CPU / runnable but waiting for one / asleep. */
  thread: string;
  peakRssMiB: number;
}

/** Starts watching a hub process; `end()` says what it did since. */
function watchHub(pid: number): { end(): HubWindow } {
  const p0 = processStats(pid);
  const m0 = mainThreadSched(pid);
  const t0 = performance.now();
  return {
    end() {
      const seconds = (performance.now() - t0) / 1000;
      const p1 = processStats(pid);
      const cpuMs = p1.cpuMs - p0.cpuMs;
      return { seconds, cpuMs, cpu: `${((cpuMs / 1000 / seconds) * 100).toFixed(0)}% of a core`, thread: threadShares(m0, mainThreadSched(pid), seconds), peakRssMiB: p1.peakRssMiB };
    },
  };
}

/** How the main thread spent a window: on a CPU / runnable, waiting for a CPU / asleep, in % of the window. */
function threadShares(a: { runMs: number; waitMs: number }, b: { runMs: number; waitMs: number }, seconds: number): string {
  const run = (b.runMs - a.runMs) / (seconds * 10);
  const wait = (b.waitMs - a.waitMs) / (seconds * 10);
  return `${run.toFixed(0)}/${wait.toFixed(0)}/${Math.max(0, 100 - run - wait).toFixed(0)}%`;
}

/** CPU time (user + system, all threads) and peak resident memory of a process, from /proc. */
function processStats(pid: number): { cpuMs: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const peakKib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return { cpuMs: treeUsage(pid)?.cpuMs ?? NaN, peakRssMiB: peakKib / 1024 };
}

function summary(samples: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? NaN };
}

const kib = (bytes: number) => (bytes >= 10_240 ? `${(bytes / 1024).toFixed(0)} KiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${Math.round(bytes)} B`);

const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

/** A stage of the benchmark starts (the figures come at the end; this shows it is moving). */
const stage = (what: string): void => console.log(`    … ${what} (${new Date().toISOString().slice(11, 19)})`);

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** The names an emulator counts an account's requests under (its id and its email). */
function accountNames(providers: ProviderSide, kind: ProviderKind, email: string): string[] {
  const { microsoft, google } = providers.emulators;
  const id = kind === 'MICROSOFT' ? microsoft.control.getAccount(email).id : google.control.listAccounts().find((a) => a.email.toLowerCase() === email.toLowerCase())!.id;
  return [id.toLowerCase(), email.toLowerCase()];
}

interface Cost {
  requests: number;
  batchedRequests: number;
  bytesIn: number;
  bytesOut: number;
}

/** What the emulators counted for an account so far (every route). */
function costOf(providers: ProviderSide, kind: ProviderKind, names: string[]): Cost {
  const zero: Cost = { requests: 0, batchedRequests: 0, bytesIn: 0, bytesOut: 0 };
  return names.reduce((acc, account) => {
    const t = providers.emulators.core.counters.total({ provider: EMULATOR[kind], account });
    return { requests: acc.requests + t.requests, batchedRequests: acc.batchedRequests + t.batchedRequests, bytesIn: acc.bytesIn + t.bytesIn, bytesOut: acc.bytesOut + t.bytesOut };
  }, zero);
}

const minus = (a: Cost, b: Cost): Cost => ({ requests: a.requests - b.requests, batchedRequests: a.batchedRequests - b.batchedRequests, bytesIn: a.bytesIn - b.bytesIn, bytesOut: a.bytesOut - b.bytesOut });

/** A graphql-ws subscription whose events are handed to `onEvent`. */
function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>, onEvent: (data: T) => void): () => void {
  return client.subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        if (message.data) onEvent(message.data as T);
      },
      error: (err) => console.error('subscription error', err),
      complete: () => undefined,
    },
  );
}

interface RunEvent {
  syncStatus: { phase: string; run: { id: string; trigger: string; outcome: string; startedAt: string; durationMs: number | null; providerRequests: number; providerBatchParts: number; counts: { inbound: Record<string, number> } } };
}
const SYNC_STATUS = `subscription($c: ID) { syncStatus(connectionId: $c) { phase run { id trigger outcome startedAt durationMs providerRequests providerBatchParts counts { inbound { created updated deleted } } } } }`;

type FinishedRun = RunEvent['syncStatus']['run'];

/**
 * Finished runs of a link as they arrive: `next(trigger)` resolves with the next one of that
 * trigger. Resolves once the subscription is live (a `syncNow` run seen through it).
 */
async function finishedRuns(hub: HubProcess, user: SyncUser): Promise<{ next(trigger: string, timeoutMs?: number): Promise<FinishedRun>; close(): void }> {
  const queue: FinishedRun[] = [];
  let wake: (() => void) | null = null;
  const close = subscribe<RunEvent>(hub.wsClient(user.tenant.key), SYNC_STATUS, { c: user.connectionId }, (e) => {
    if (e.syncStatus.phase !== 'FINISHED' && e.syncStatus.phase !== 'FAILED') return;
    queue.push(e.syncStatus.run);
    wake?.();
  });
  const next = async (trigger: string, timeoutMs = 60_000): Promise<FinishedRun> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex((r) => r.trigger === trigger);
      if (i >= 0) return queue.splice(0, i + 1).at(-1)!;
      if (Date.now() > deadline) throw new Error(`no ${trigger} run finished within ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
      wake = null;
    }
  };
  for (let attempt = 0; ; attempt++) {
    await user.gql(`mutation($c: ID!) { syncNow(connectionId: $c) { id } }`, { c: user.connectionId });
    try {
      await next('MANUAL', 5_000);
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
  return { next, close };
}

// ---------------------------------------------------------------------------------------------
// 1. Outbound

const UPSERT = `mutation($input: UpsertAppointmentInput!) { upsertAppointment(input: $input) { created appointment { id } } }`;

interface CreateSample {
  mutationMs: number;
  /** From the mutation's answer to the end of the provider's create (0 when the create ended first). */
  toEventMs: number;
  sentToEventMs: number;
  /** The provider's own time for the create. */
  writeMs: number;
  /** Wall clock (ms) when the mutation answered. */
  returnedAt: number;
}

/**
 * Times one host write that creates one event: `upsert` runs the mutation, the emulators' request
 * journal says when the create of the account ended (their clock is this process's).
 */
async function timedCreate(providers: ProviderSide, kind: ProviderKind, names: Set<string>, upsert: () => Promise<unknown>): Promise<CreateSample> {
  const journal = providers.emulators.core.journal;
  journal.clear();
  journal.enabled = true;
  try {
    const t0 = performance.now();
    await upsert();
    const t1 = performance.now();
    const returnedAt = Date.now();
    let created: JournalEntry | undefined;
    await waitFor(
      'the event at the provider',
      () => {
        created = journal.list({ provider: EMULATOR[kind] }).find((e) => e.route === CREATE_ROUTE[kind] && e.status < 300 && names.has(e.account ?? ''));
        return created !== undefined;
      },
      60_000,
    );
    return { mutationMs: t1 - t0, toEventMs: Math.max(0, created!.endedAt - t1), sentToEventMs: created!.endedAt - t0, writeMs: created!.endedAt - created!.startedAt, returnedAt };
  } finally {
    journal.enabled = false;
    journal.clear();
  }
}

async function outbound(providers: ProviderSide, samples: number): Promise<BenchResult[]> {
  // Each link polls every 3 minutes (the default cadence), its first poll 3 minutes after linking:
  // no poll holds the link's lease while the samples are taken.
  const h = await startBenchHub(providers, {});
  const results: BenchResult[] = [];
  try {
    for (const kind of KINDS) {
      stage(`outbound ${kind}: ${samples} creates`);
      const u = await linkedUser(h.driver, providers.emulators, kind, { name: `outbound-${kind.toLowerCase()}` });
      const names = new Set(accountNames(providers, kind, u.email));
      const runs = await finishedRuns(h.hub, u);
      const mutation: number[] = [];
      const toEvent: number[] = [];
      const sentToEvent: number[] = [];
      const dispatch: number[] = [];
      const write: number[] = [];
      const runMs: number[] = [];
      const warmup = 10;
      let hubWatch = watchHub(h.hub.child.pid!);
      for (let i = 0; i < warmup + samples; i++) {
        if (i === warmup) hubWatch = watchHub(h.hub.child.pid!);
        const sample = await timedCreate(providers, kind, names, () => u.gql(UPSERT, { input: { hostAppointmentId: `outbound-${i}`, userId: u.tenant.userId, subject: `Outbound ${i}`, ...slot(2 + (i % 60), 7 + (i % 10)) } }));
        // The run ends after the write (the pair and the run are stored): the next sample starts on an idle link.
        const run = await runs.next('OUTBOUND');
        if (i < warmup) continue;
        mutation.push(sample.mutationMs);
        toEvent.push(sample.toEventMs);
        sentToEvent.push(sample.sentToEventMs);
        dispatch.push(Date.parse(run.startedAt) - sample.returnedAt);
        write.push(sample.writeMs);
        runMs.push(run.durationMs ?? NaN);
      }
      const hub = hubWatch.end();
      runs.close();
      const e = summary(toEvent);
      results.push({
        table: 'outbound: upsertAppointment returns → the event exists at the provider (sequential; one create each)',
        label: kind,
        figures: {
          samples: String(samples),
          'mutation p50': ms(summary(mutation).p50),
          'returned→event p50': ms(e.p50),
          'p95': ms(e.p95),
          'target p95 < 300 ms': verdict(e.p95 < 300),
          max: ms(e.max),
          'sent→event p50': ms(summary(sentToEvent).p50),
          'dispatch p50': ms(summary(dispatch).p50),
          'provider write p50': ms(summary(write).p50),
          'run p50': ms(summary(runMs).p50),
          'hub CPU/upsert': ms(hub.cpuMs / samples),
          'hub main thread run/wait/sleep': hub.thread,
        },
      });
    }
  } finally {
    await h.close();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// 2. Inbound at a 1 s poll interval, and 3. what an idle poll costs

const CHANGED = `subscription($u: ID) { appointmentChanged(userId: $u) { kind source appointment { subject } } }`;

interface ChangedEvent {
  appointmentChanged: { kind: string; source: string; appointment: { subject: string | null } };
}

/**
 * `appointmentChanged` events of a user by the appointment's subject. Resolves once the
 * subscription is live (a host write seen through it).
 */
async function changes(hub: HubProcess, user: SyncUser): Promise<{ arrival(subject: string, timeoutMs?: number): Promise<number>; close(): void }> {
  const arrived = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const stop = subscribe<ChangedEvent>(hub.wsClient(user.tenant.key), CHANGED, { u: user.tenant.userId }, (e) => {
    const at = performance.now();
    const subject = e.appointmentChanged.appointment.subject ?? '';
    const waiter = waiters.get(subject);
    if (waiter) {
      waiters.delete(subject);
      waiter(at);
    } else arrived.set(subject, at);
  });
  const arrival = (subject: string, timeoutMs = 60_000): Promise<number> => {
    const at = arrived.get(subject);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(subject);
        reject(new Error(`no appointmentChanged for "${subject}" within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      waiters.set(subject, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  };
  for (let attempt = 0; ; attempt++) {
    const subject = `subscription probe ${attempt}`;
    await user.gql(UPSERT, { input: { hostAppointmentId: 'subscription-probe', userId: user.tenant.userId, subject, ...slot(1) } });
    try {
      await arrival(subject, 5_000);
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
  return { arrival, close: stop };
}

async function inbound(h: BenchHub, providers: ProviderSide, kind: ProviderKind, samples: number, users: number, intervalMs: number): Promise<BenchResult> {
  stage(`inbound ${kind}: ${users} users, ${samples} edits`);
  const linked = await pool(Array.from({ length: users }, (_, i) => i), 4, (i) => linkedUser(h.driver, providers.emulators, kind, { name: `inbound-${kind.toLowerCase()}-${i}` }));
  const latencies: number[] = [];
  /** Reads of the user's calendar the hub began between the edit and its delivery: 1 when the first poll after the edit brought it. */
  const pollsToDeliver: number[] = [];
  const readsBefore = providers.emulators.core.counters.total({ provider: EMULATOR[kind], route: READ_ROUTE[kind] }).requests;
  const hubWatch = watchHub(h.hub.child.pid!);
  await Promise.all(
    linked.map(async (u, n) => {
      const names = accountNames(providers, kind, u.email);
      const reads = () => names.reduce((sum, account) => sum + providers.emulators.core.counters.total({ provider: EMULATOR[kind], account, route: READ_ROUTE[kind] }).requests, 0);
      const feed = await changes(h.hub, u);
      const eventId = u.provider.create(`inbound ${n} 0`, new Date(Date.now() + 3 * DAY));
      await feed.arrival(`inbound ${n} 0`);
      for (let i = 1; latencies.length < samples; i++) {
        // Edits land at a random moment of the poll cycle, as a user's do.
        await sleep(Math.random() * intervalMs);
        const subject = `inbound ${n} ${i}`;
        const r0 = reads();
        u.provider.rename(eventId, subject);
        const t0 = performance.now();
        latencies.push((await feed.arrival(subject)) - t0);
        pollsToDeliver.push(reads() - r0);
      }
      feed.close();
    }),
  );
  const hub = hubWatch.end();
  const polls = providers.emulators.core.counters.total({ provider: EMULATOR[kind], route: READ_ROUTE[kind] }).requests - readsBefore;
  const s = summary(latencies);
  return {
    table: `inbound: an edit at the provider → appointmentChanged delivered over graphql-ws (SYNC_POLL_INTERVAL_MS=${intervalMs})`,
    label: kind,
    figures: {
      samples: String(latencies.length),
      users: String(users),
      p50: ms(s.p50),
      p95: ms(s.p95),
      max: ms(s.max),
      'brought by the first poll after the edit': `${pollsToDeliver.filter((p) => p <= 1).length}/${pollsToDeliver.length}`,
      'target: within one poll': verdict(pollsToDeliver.every((p) => p <= 1)),
      'polls/s': (polls / hub.seconds).toFixed(1),
      'hub CPU': hub.cpu,
      'hub CPU/poll': ms(hub.cpuMs / polls),
      'hub main thread run/wait/sleep': hub.thread,
    },
  };
}

/** 1,000 events spread over −29…+89 days (inside the hub's window and the naive one), as a user's calendar. */
function seedCalendar(providers: ProviderSide, kind: ProviderKind, email: string, events: number): void {
  const { microsoft, google } = providers.emulators;
  const base = Math.floor(Date.now() / DAY) * DAY;
  for (let i = 0; i < events; i++) {
    const start = new Date(base + (-29 + (i % 119)) * DAY + (7 + (i % 11)) * 3_600_000);
    const end = new Date(start.getTime() + 1_800_000);
    const subject = `Seeded meeting ${i} — ${'weekly planning, notes and agenda '.repeat(1 + (i % 3))}`;
    if (kind === 'MICROSOFT') {
      microsoft.control.createEvent(email, null, {
        subject,
        body: { contentType: 'text', content: `Agenda item ${i}` },
        location: { displayName: `Room ${i % 17}` },
        start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
        end: { dateTime: end.toISOString().slice(0, 19), timeZone: 'UTC' },
      });
    } else {
      const account = google.control.listAccounts().find((a) => a.email === email)!;
      google.control.createEvent(account.id, account.calendarIds[0]!, {
        summary: subject,
        description: `Agenda item ${i}`,
        location: `Room ${i % 17}`,
        start: { dateTime: start.toISOString() },
        end: { dateTime: end.toISOString() },
      });
    }
  }
}

function newAccount(providers: ProviderSide, kind: ProviderKind, name: string): string {
  const { microsoft, google } = providers.emulators;
  const suffix = randomBytes(3).toString('hex');
  return kind === 'MICROSOFT' ? microsoft.control.createAccount({ email: `${name}.${suffix}@contoso.onmicrosoft.com` }).email : google.control.createAccount({ email: `${name}.${suffix}@example.com` }).email;
}

/**
 * "What many products do": a reader of its own (another OAuth app, read scope) that lists the
 * window every poll — Graph `calendarView`, Google `events.list` with `singleEvents` — following
 * the provider's paging links.
 */
async function windowReader(h: BenchHub, providers: ProviderSide, kind: ProviderKind, email: string, pageSize: number | null): Promise<() => Promise<number>> {
  const { microsoft, google } = providers.emulators;
  const redirectUri = 'http://127.0.0.1:9/window-reader/callback';
  const clientId = kind === 'MICROSOFT' ? '5a1f6d1e-0000-4000-8000-00000000b3c4' : 'window-reader.apps.googleusercontent.com';
  const clientSecret = randomBytes(16).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const fetchFn = h.driver.browser;
  let token: string;
  if (kind === 'MICROSOFT') {
    microsoft.control.registerClient({ clientId, clientSecret, redirectUris: [redirectUri], displayName: 'Window reader' });
    const scope = 'openid offline_access Calendars.Read';
    const authorize = new URL(`${microsoft.origin}/common/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope, state: 's', code_challenge: challenge, code_challenge_method: 'S256', login_hint: email })) authorize.searchParams.set(k, v);
    const callback = await driveConsent({ fetch: fetchFn }, authorize.toString(), { account: microsoft.control.getAccount(email).id });
    const res = await fetchFn(`${microsoft.origin}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier, scope }).toString(),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  } else {
    google.control.registerClient({ clientId, clientSecret, redirectUris: [redirectUri], name: 'Window reader' });
    const authorize = new URL(google.authUrl);
    for (const [k, v] of Object.entries({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'https://www.googleapis.com/auth/calendar.readonly', state: 's', code_challenge: challenge, code_challenge_method: 'S256', login_hint: email, access_type: 'offline' })) authorize.searchParams.set(k, v);
    const account = google.control.listAccounts().find((a) => a.email === email)!;
    const callback = await submitConsent(authorize.toString(), { account: account.id });
    const res = await fetch(google.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier }).toString(),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  }
  if (!token) throw new Error(`the window reader got no ${kind} token`);

  return async () => {
    const now = Date.now();
    const start = new Date(now - 60 * DAY).toISOString();
    const end = new Date(now + 90 * DAY).toISOString();
    let url: string | null;
    if (kind === 'MICROSOFT') {
      const first = new URL(`${microsoft.graphBaseUrl}/v1.0/me/calendarView`);
      first.searchParams.set('startDateTime', start);
      first.searchParams.set('endDateTime', end);
      if (pageSize) first.searchParams.set('$top', String(pageSize));
      url = first.toString();
    } else {
      const first = new URL(`${google.calendarRootUrl}calendar/v3/calendars/primary/events`);
      for (const [k, v] of Object.entries({ timeMin: start, timeMax: end, singleEvents: 'true', orderBy: 'startTime' })) first.searchParams.set(k, v);
      if (pageSize) first.searchParams.set('maxResults', String(pageSize));
      url = first.toString();
    }
    let events = 0;
    while (url) {
      const res = await (kind === 'MICROSOFT' ? fetchFn : fetch)(url, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`window read answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as { value?: unknown[]; items?: unknown[]; '@odata.nextLink'?: string; nextPageToken?: string };
      events += (body.value ?? body.items ?? []).length;
      if (kind === 'MICROSOFT') url = body['@odata.nextLink'] ?? null;
      else if (body.nextPageToken) {
        const next: URL = new URL(url);
        next.searchParams.set('pageToken', body.nextPageToken);
        url = next.toString();
      } else url = null;
    }
    return events;
  };
}

const costFigures = (c: Cost, n: number): Record<string, string> => ({
  requests: (c.requests / n).toFixed(c.requests % n === 0 ? 0 : 2),
  'batch parts': (c.batchedRequests / n).toFixed(c.batchedRequests % n === 0 ? 0 : 2),
  'bytes in': kib(c.bytesIn / n),
  'bytes out': kib(c.bytesOut / n),
  'bytes total': kib((c.bytesIn + c.bytesOut) / n),
});

async function idlePollCost(h: BenchHub, providers: ProviderSide, kind: ProviderKind, events: number, polls: number): Promise<BenchResult[]> {
  const table = `provider cost of one idle poll, calendar of ${events} events (emulators' counters: bodies in/out)`;
  stage(`idle poll cost ${kind}: ${events} events`);
  const email = newAccount(providers, kind, `idle-${kind.toLowerCase()}`);
  const u = await linkedUser(h.driver, providers.emulators, kind, { name: `idle-${kind.toLowerCase()}`, email });
  const runs = await finishedRuns(h.hub, u);
  seedCalendar(providers, kind, email, events);
  // The next polls import the events; then the link is idle.
  let imported = 0;
  while (imported < events) {
    const run = await runs.next('POLL');
    imported += run.counts.inbound.created ?? 0;
  }
  const names = accountNames(providers, kind, email);
  await runs.next('POLL');
  const before = costOf(providers, kind, names);
  let hubRequests = 0;
  let hubParts = 0;
  let changed = 0;
  for (let i = 0; i < polls; i++) {
    const run = await runs.next('POLL');
    hubRequests += run.providerRequests;
    hubParts += run.providerBatchParts;
    changed += (run.counts.inbound.created ?? 0) + (run.counts.inbound.updated ?? 0) + (run.counts.inbound.deleted ?? 0);
  }
  const idle = minus(costOf(providers, kind, names), before);
  runs.close();
  if (changed > 0) throw new Error(`the idle polls applied ${changed} changes`);

  // The same calendar for the window reader: an account of its own with the same events, so the
  // counters of the two never mix.
  const twin = newAccount(providers, kind, `window-${kind.toLowerCase()}`);
  seedCalendar(providers, kind, twin, events);
  const twinNames = accountNames(providers, kind, twin);
  const results: BenchResult[] = [
    {
      table,
      label: `${kind}: hub, incremental read`,
      figures: {
        polls: String(polls),
        ...costFigures(idle, polls),
        'hub counted': `${(hubRequests / polls).toFixed(0)} req, ${hubParts} parts`,
        'vs hub': '1×',
        target: `1 request: ${verdict(idle.requests === polls && idle.batchedRequests === 0)}`,
      },
    },
  ];
  const idleBytes = (idle.bytesIn + idle.bytesOut) / polls;
  for (const pageSize of kind === 'MICROSOFT' ? [null, 1000] : [null, 2500]) {
    const read = await windowReader(h, providers, kind, twin, pageSize);
    const reads = 3;
    const before2 = costOf(providers, kind, twinNames);
    let listed = 0;
    for (let i = 0; i < reads; i++) listed = await read();
    const window = minus(costOf(providers, kind, twinNames), before2);
    const ratio = (window.bytesIn + window.bytesOut) / reads / idleBytes;
    results.push({
      table,
      label: `${kind}: window read, ${pageSize ? `page ${pageSize}` : 'default page size'}`,
      figures: {
        polls: String(reads),
        ...costFigures(window, reads),
        events: String(listed),
        'vs hub': `${ratio.toFixed(0)}× bytes`,
        target: `≥ 50× bytes: ${verdict(ratio >= 50)}`,
      },
    });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// 4. Sustained idle polls across many links

async function pollThroughput(providers: ProviderSide, links: number, windowSeconds: number, outboundSamples: number, report: (results: BenchResult[]) => void): Promise<void> {
  const table = 'sustained idle polls, one hub process, SYNC_POLL_INTERVAL_MS=1000 (every link due all the time)';
  // Every link is due again 1 s after its last poll began: with many links, all are due all the time.
  const env = { SYNC_POLL_INTERVAL_MS: '1000' };
  // Linking: a hub that answers the API and the OAuth callbacks but runs no jobs (JOBS_ENABLED=false),
  // so the links' polls do not slow the linking down; the hub measured then starts on its database.
  stage(`poll throughput: linking ${links} users`);
  const linking = await startBenchHub(providers, { ...env, JOBS_ENABLED: 'false' });
  const first = newAccount(providers, 'MICROSOFT', 'load-0');
  const tenant = await createTenantWithUser(linking.driver, 'load', { hostUserId: 'load-0', email: first });
  const users: { kind: ProviderKind; email: string; userId: string }[] = [];
  const started = performance.now();
  try {
    await pool(Array.from({ length: links }, (_, i) => i), 8, async (i) => {
      const kind: ProviderKind = i % 2 === 0 ? 'MICROSOFT' : 'GOOGLE';
      const email = i === 0 ? first : newAccount(providers, kind, `load-${i}`);
      const userId = i === 0 ? tenant.userId : await addUser(linking.driver, tenant.key, { hostUserId: `load-${i}`, email });
      await linkOk(linking.driver, tenant.key, { userId, provider: kind, account: email });
      users.push({ kind, email, userId });
      if (users.length % 250 === 0) stage(`linked ${users.length}/${links} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    });
  } finally {
    await linking.close({ keepData: true });
  }
  const linkSeconds = (performance.now() - started) / 1000;

  const h = await startBenchHub(providers, env, linking.dataDir);
  try {
    const { driver } = h;
    // Every link's first run (INITIAL) done, then a while to settle.
    const settling = performance.now();
    await waitFor(
      'the first runs of every link',
      async () => {
        const r = await driver.rawGql(`query { syncRuns(filter: { trigger: INITIAL, outcome: RUNNING }, first: 1) { edges { node { id } } } }`, {}, tenant.key);
        return (r.data as { syncRuns: { edges: unknown[] } } | undefined)?.syncRuns.edges.length === 0;
      },
      1_800_000,
    );
    const initialSeconds = (performance.now() - settling) / 1000;
    stage(`poll throughput: first runs done in ${initialSeconds.toFixed(0)} s; measuring ${windowSeconds} s`);
    await sleep(10_000);

    const reads = () => KINDS.reduce((n, kind) => n + providers.emulators.core.counters.total({ provider: EMULATOR[kind], route: READ_ROUTE[kind] }).requests, 0);
    const all = () => KINDS.reduce((n, kind) => n + providers.emulators.core.counters.total({ provider: EMULATOR[kind] }).requests, 0);
    const pid = h.hub.child.pid!;
    const hubWatch = watchHub(pid);
    const r0 = reads();
    const a0 = all();
    const bench0 = process.cpuUsage();
    const from = new Date();
    await sleep(windowSeconds * 1000);
    const hub = hubWatch.end();
    const seconds = hub.seconds;
    const to = new Date();
    const readRequests = reads() - r0;
    const requests = all() - a0;
    const benchCpu = process.cpuUsage(bench0);

    const finished = await countPollRuns(h, tenant.key, from, to);
    const perSecond = finished / seconds;
    const cpuPerPoll = hub.cpuMs / finished;
    const perCore = 1000 / cpuPerPoll;
    report([
      {
        table,
        label: `${links} links (${Math.ceil(links / 2)} Microsoft, ${Math.floor(links / 2)} Google)`,
        figures: {
          'linking (OAuth)': `${linkSeconds.toFixed(0)} s`,
          'first runs': `${initialSeconds.toFixed(0)} s`,
          window: `${seconds.toFixed(0)} s`,
          'POLL runs': String(finished),
          'polls/s': perSecond.toFixed(1),
          'provider req/poll': (requests / finished).toFixed(2),
          'reads/s': (readRequests / seconds).toFixed(1),
          'hub CPU': hub.cpu,
          'hub main thread run/wait/sleep': hub.thread,
          'hub CPU/poll': ms(cpuPerPoll),
          'polls/s per core': perCore.toFixed(0),
          'peak RSS': `${hub.peakRssMiB.toFixed(0)} MiB`,
          'users @ 3 min': `${Math.floor(perSecond * 180)} (per core: ${Math.floor(perCore * 180)})`,
          'load gen CPU': `${(((benchCpu.user + benchCpu.system) / 1000 / 1000 / seconds) * 100).toFixed(0)}%`,
        },
      },
    ]);

    // Host writes while every link polls: a poll never holds more than its share of the job locks.
    for (const kind of KINDS) {
      const user = users.find((u) => u.kind === kind)!;
      const names = new Set(accountNames(providers, kind, user.email));
      const toEvent: number[] = [];
      let late = 0;
      for (let i = 0; i < outboundSamples; i++) {
        try {
          const sample = await timedCreate(providers, kind, names, () =>
            driver.rawGql(UPSERT, { input: { hostAppointmentId: `load-out-${kind}-${i}`, userId: user.userId, subject: `Under load ${i}`, ...slot(2 + (i % 60)) } }, tenant.key),
          );
          toEvent.push(sample.toEventMs);
        } catch {
          // Not there within 60 s (a create that failed and waits for its retry): counted, not timed.
          late += 1;
        }
        await sleep(300);
      }
      const e = summary(toEvent);
      report([
        {
          table: `outbound while every link polls (the hub above): upsertAppointment returns → the event exists, one write every 300 ms`,
          label: kind,
          figures: { samples: String(outboundSamples), 'returned→event p50': ms(e.p50), p95: ms(e.p95), max: ms(e.max), 'not there within 60 s': String(late) },
        },
      ]);
    }
  } finally {
    await h.close();
  }
}

/** POLL runs that finished between `from` and `to`, read through the API once the window is over. */
async function countPollRuns(h: BenchHub, key: string, from: Date, to: Date): Promise<number> {
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const r = await h.driver.rawGql(
      `query($a: String) { syncRuns(filter: { trigger: POLL }, first: 100, after: $a) { edges { node { finishedAt } } pageInfo { endCursor hasNextPage } } }`,
      { a: after },
      key,
    );
    const page = (r.data as { syncRuns: { edges: { node: { finishedAt: string | null } }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }).syncRuns;
    for (const e of page.edges) {
      const at = e.node.finishedAt ? Date.parse(e.node.finishedAt) : NaN;
      if (at >= from.getTime() && at < to.getTime()) count += 1;
    }
    if (!page.pageInfo.hasNextPage) return count;
    after = page.pageInfo.endCursor;
  }
}

// ---------------------------------------------------------------------------------------------

export const syncBench: BenchModule = {
  name: 'sync',
  description: 'sync engine, hub in a child process, emulators and load generator in this one',
  async run({ scale, report }) {
    const samples = Math.max(20, Math.round(200 * scale));
    // SYNC_BENCH_LINKS=<n>: the links of the throughput part (1,000; 100 with --quick).
    const links = Number(process.env.SYNC_BENCH_LINKS) || Math.max(100, Math.round(1000 * scale));
    // SYNC_BENCH_PARTS=outbound,inbound,idle,throughput runs some parts only.
    const parts = new Set((process.env.SYNC_BENCH_PARTS ?? 'outbound,inbound,idle,throughput').split(',').map((p) => p.trim()));
    const providers = await startProviderSide();
    try {
      if (parts.has('outbound')) report(await outbound(providers, samples));

      if (parts.has('inbound') || parts.has('idle')) {
        const intervalMs = 1000;
        const h = await startBenchHub(providers, { SYNC_POLL_INTERVAL_MS: String(intervalMs) });
        try {
          if (parts.has('inbound')) for (const kind of KINDS) report([await inbound(h, providers, kind, samples, scale < 1 ? 4 : 10, intervalMs)]);
          if (parts.has('idle')) for (const kind of KINDS) report(await idlePollCost(h, providers, kind, 1000, Math.max(5, Math.round(20 * scale))));
        } finally {
          await h.close();
        }
      }

      if (parts.has('throughput')) await pollThroughput(providers, links, scale < 1 ? 20 : 60, Math.max(10, Math.round(50 * scale)), report);
    } finally {
      await providers.close();
    }
    return [];
  },
};
