import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** `npm start` as a user runs it: `tsx src/main.ts` in a child process with only the given environment. */
export interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function startMain(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the GraphQL URL once the hub logs that it listens. */
export async function readyUrl(started: Started, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of started.stdout().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { url?: string; msg?: string };
      if (entry.url && entry.msg?.startsWith('GraphQL ready')) return entry.url.replace('localhost', '127.0.0.1');
    }
    if (started.child.exitCode !== null) throw new Error(`hub exited early:\n${started.stdout()}\n${started.stderr()}`);
    if (Date.now() > deadline) throw new Error(`hub did not become ready:\n${started.stdout()}\n${started.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * For a start that should be refused: resolves with its exit code, or — when it became ready
 * instead — with `'ready'`, after stopping it (so a test fails at once instead of timing out).
 */
export async function refusedStart(started: Started): Promise<number | null | 'ready'> {
  const outcome = await Promise.race([started.exited, readyUrl(started).then(() => 'ready' as const, () => started.exited)]);
  if (outcome === 'ready') {
    started.child.kill('SIGKILL');
    await started.exited;
  }
  return outcome;
}
