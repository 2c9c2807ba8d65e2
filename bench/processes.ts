import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root (benchmarks spawn `npm start`, `node dist/main.js`… from there). */
export const ROOT = path.resolve(import.meta.dirname, '..');

/** Compiles first if the sources changed (as `npm start` does, scripts/start.mjs), so no benchmark measures a stale dist/ or a build. */
export function buildIfStale(): void {
  if (spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('the build failed');
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** user + system CPU time, ms. */
  cpuMs: number;
  /** Resident set size, MB. */
  rssMb: number;
}

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  rssPages: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
  } catch {
    return null;
  }
}

/**
 * CPU time and memory of a process and all its descendants (npm → node), read from /proc, so a
 * benchmark measures a server in another process without its cooperation. `null` where there is no
 * /proc (not Linux): the benchmarks then print "n/a".
 */
export function treeUsage(rootPid: number): ProcessUsage | null {
  const root = readStat(rootPid);
  if (!root) return null;
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const s of all) if (s.ppid === tree[i]!.pid) tree.push(s);
  const pageMb = 4096 / 2 ** 20;
  return {
    cpuMs: (tree.reduce((sum, s) => sum + s.cpuTicks, 0) * 1000) / TICKS_PER_SECOND,
    rssMb: tree.reduce((sum, s) => sum + s.rssPages, 0) * pageMb,
  };
}

export interface SpawnedServer {
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM to the process group, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns a server in its own process group (like a terminal job), collecting its output. The
 * environment is the benchmark's own plus `env`.
 */
export function spawnServer(command: string, args: string[], env: Record<string, string>): SpawnedServer {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}

/** Waits until the hub's log says where it listens, then until `/readyz` answers 200; resolves with its port. */
export async function waitForReadyHub(server: SpawnedServer, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let port: number | null = null;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`the hub exited before it was ready:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`the hub was not ready within ${timeoutMs} ms:\n${server.output()}`);
    port ??= Number(/"url":"http:\/\/[^:"]+:(\d+)\/graphql"/.exec(server.output())?.[1] ?? 0) || null;
    if (port !== null) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        async (res) => (await res.arrayBuffer(), res.status === 200),
        () => false,
      );
      if (ready) return port;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A temporary data folder for one hub, removed by `dispose`. */
export function tempDataDir(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-bench-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
