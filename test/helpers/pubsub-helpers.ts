import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

/** Reads the next `count` values, failing (not hanging) if they do not come within `timeoutMs`. */
export async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5_000): Promise<T[]> {
  const values: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`expected ${count} events, got ${values.length}: ${JSON.stringify(values)}`)),
      timeoutMs,
    );
  });
  try {
    while (values.length < count) {
      const result = await Promise.race([iterator.next(), timeout]);
      if (result.done) throw new Error(`iterator ended after ${values.length} of ${count} events`);
      values.push(result.value);
    }
    return values;
  } finally {
    clearTimeout(timer);
  }
}

/** A logger whose JSON lines are kept in `lines`, for asserting what was logged. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger({ level, name: 'test' }, sink), lines };
}

export const silentLogger = (): Logger => createLogger({ level: 'silent', name: 'test' });
