import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agenda, type AgendaBackend } from 'agenda';

/** Polls `check` until it returns a value other than undefined/false; fails (not hangs) after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A fresh folder for SQLite files; `cleanup` removes it. */
export function tempDir(prefix = 'hub-jobs-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An Agenda with short intervals for tests (50 ms polling). */
export function testAgenda(backend: AgendaBackend, options: { name?: string; maxConcurrency?: number; lockLifetimeMs?: number } = {}): Agenda {
  return new Agenda({
    backend,
    name: options.name ?? 'test',
    processEvery: 50,
    maxConcurrency: options.maxConcurrency ?? 10,
    defaultConcurrency: options.maxConcurrency ?? 10,
    defaultLockLifetime: options.lockLifetimeMs ?? 10_000,
  });
}
