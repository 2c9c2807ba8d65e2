import { mkdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { JournalEntry } from '@calendar-sync-hub/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import { startProviderSide, type ProviderSide } from '../../helpers/hub-process.js';
import { CONFLICT_POLICIES_UNDER_TEST, commandArbitraries, emptyStats, progress, runScenario, type ChaosStats } from './chaos-model.js';
import { ChaosWorld, emulatorProviderOf } from './chaos-world.js';

/**
 * Declares the chaos suite for vitest: per provider, `runs` model runs of up to `maxCommands`
 * commands on one hub process (SIGKILLs included), and a two-process variant whose emulators'
 * request journal proves that no two hub workers wrote to one mailbox at the same time. Prints the
 * figures (runs, operations, faults, kills, divergences) and writes them to reports/chaos.json.
 * A failing run prints fast-check's seed and replay path and the shrunk command list.
 */
export interface ChaosSuiteOptions {
  kinds: ProviderKind[];
  runs: number;
  maxCommands: number;
  seed: number;
  /** Runs of the two-process variant (0: none). */
  twoProcessRuns: number;
  /** Shrink a failing case (slow: every attempt is a full run). */
  shrink: boolean;
  /** fast-check's replay path of a failure printed earlier (with its seed). */
  path?: string;
  /** Per test; the long runs set it from their size. */
  timeoutMs: number;
}

const figures: Record<string, ChaosStats & { seed: number; maxCommands: number; processes: number; seconds: number; writesChecked?: number; overlappingWrites?: number }> = {};

export function chaosSuite(options: ChaosSuiteOptions): void {
  let providers: ProviderSide;
  beforeAll(async () => {
    providers = await startProviderSide();
  });
  afterAll(async () => {
    await providers?.close();
    const lines = Object.entries(figures).map(
      ([name, f]) =>
        `${name}: ${f.runs} runs, ${f.operations} operations (≤ ${f.maxCommands} per run; ${f.seriesChanges} on series), ${f.faults} faults injected (${f.faultsFired} requests hit), ${f.kills} kills, ${f.relinks} relinks, ${f.divergences} divergences${f.writesChecked !== undefined ? `, ${f.overlappingWrites} of ${f.writesChecked} event writes overlapping another of the mailbox` : ''} — seed ${f.seed}, ${f.seconds} s`,
    );
    if (lines.length > 0) {
      progress(`\nchaos figures\n${lines.join('\n')}`);
      mkdirSync('reports', { recursive: true });
      writeFileSync('reports/chaos.json', `${JSON.stringify(figures, null, 2)}\n`);
    }
  });

  for (const kind of options.kinds) {
    describe(`chaos with ${kind}`, () => {
      it(`converges after ${options.runs} random runs with faults and crashes`, { timeout: options.timeoutMs }, async () => {
        await propertyRun(`${kind} (1 process)`, providers, kind, 1, options.runs, options);
      });

      if (options.twoProcessRuns > 0) {
        it('with two hub processes on one database, converges and never writes one mailbox from two workers at once', { timeout: options.timeoutMs }, async () => {
          const journal = providers.emulators.core.journal;
          journal.clear();
          journal.enabled = true;
          try {
            await propertyRun(`${kind} (2 processes)`, providers, kind, 2, options.twoProcessRuns, options);
          } finally {
            journal.enabled = false;
          }
          const writes = journal.list({ provider: emulatorProviderOf(kind) }).filter(isEventWrite);
          const overlaps = concurrentWrites(writes);
          const f = figures[`${kind} (2 processes)`];
          if (f) Object.assign(f, { writesChecked: writes.length, overlappingWrites: overlaps.length });
          // Not a vacuous pass: the runs wrote, and every write is in the journal.
          expect(writes.length).toBeGreaterThan(0);
          expect(overlaps).toEqual([]);
          journal.clear();
        });
      }
    });
  }
}

async function propertyRun(name: string, providers: ProviderSide, kind: ProviderKind, processes: number, runs: number, options: ChaosSuiteOptions): Promise<void> {
  const started = Date.now();
  const world = await ChaosWorld.start(providers, { processes });
  const stats = emptyStats();
  try {
    const property = fc.asyncProperty(
      fc.constantFrom(...CONFLICT_POLICIES_UNDER_TEST),
      fc.commands(commandArbitraries({ processes }), { maxCommands: options.maxCommands, size: 'max' }),
      async (policy, commands) => {
        const before = { ...stats };
        const t0 = Date.now();
        let outcome = 'ok';
        try {
          await runScenario(world, kind, { policy, commands }, stats, { kills: true });
        } catch (e) {
          // The divergences (the steps follow in the final report, or at once with CHAOS_TRACE=1).
          outcome = `FAILED: ${(e instanceof Error ? e.message : String(e)).split('\n\nmodel:')[0]}`;
          throw e;
        } finally {
          progress(
            `[${name}] run ${stats.runs}${stats.runs > runs ? ' (shrinking)' : `/${runs}`}: ${policy}, ${stats.operations - before.operations} operations, ` +
              `${stats.faults - before.faults} faults, ${stats.kills - before.kills} kills, ${stats.relinks - before.relinks} relinks, ` +
              `${((Date.now() - t0) / 1000).toFixed(1)} s — ${outcome}`,
          );
        }
      },
    );
    const details = await fc.check(property, { numRuns: runs, seed: options.seed, endOnFailure: !options.shrink, ...(options.path ? { path: options.path } : {}) });
    figures[name] = { ...stats, seed: options.seed, maxCommands: options.maxCommands, processes, seconds: Math.round((Date.now() - started) / 1000) };
    if (details.failed) {
      // The commands that ran, as fast-check prints them (without its replay comment).
      const cmds = String(details.counterexample?.[1] ?? '').replace(/\s*\/\*replayPath=.*\*\/$/, '');
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(
        `${fc.defaultReportMessage(details)}\n\n${error}\n\nAs a regression scenario (test/e2e/chaos/regressions.test.ts):\n` +
          `  { policy: '${String(details.counterexample?.[0])}', commands: [${cmds}] }\n\n` +
          `Replay: CHAOS_SEED=${details.seed} CHAOS_PATH=${details.counterexample ? details.counterexamplePath : ''} npm run test:chaos -- --provider ${kind}\n\n` +
          `hub output (tail):\n${world.output().slice(-20_000)}`,
      );
    }
  } finally {
    await world.close();
  }
}

/** A request that writes events (a batch counts as one request; its parts are journaled inside it). */
export const isEventWrite = (e: JournalEntry) => e.method !== 'GET' && !e.batched && (e.route.startsWith('graph.events') || e.route.startsWith('google.events') || e.route.endsWith('.batch'));

/** Event writes of one mailbox whose time spans overlap: two workers writing at once. */
export function concurrentWrites(entries: JournalEntry[]): string[] {
  const byAccount = new Map<string, JournalEntry[]>();
  for (const e of entries.filter(isEventWrite)) byAccount.set(e.account ?? '', [...(byAccount.get(e.account ?? '') ?? []), e]);
  const overlaps: string[] = [];
  for (const [account, list] of byAccount) {
    list.sort((a, b) => a.startedAt - b.startedAt);
    let last = list[0]!;
    for (const e of list.slice(1)) {
      if (e.startedAt < last.endedAt) overlaps.push(`${account}: ${last.method} ${last.url} and ${e.method} ${e.url} overlap`);
      if (e.endedAt > last.endedAt) last = e;
    }
  }
  return overlaps;
}
