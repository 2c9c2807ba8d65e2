import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino censors wherever they appear in a log object. Secrets must never be logged in the
 * first place; this is the second line of defence for objects logged whole (requests, errors).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'apiKey',
  '*.apiKey',
  'key',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'refreshToken',
  '*.refreshToken',
  'refresh_token',
  '*.refresh_token',
  'id_token',
  '*.id_token',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'codeVerifier',
  '*.codeVerifier',
  'code_verifier',
  '*.code_verifier',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

/** Log lines written to stdout together once this many bytes are waiting… */
const LOG_BUFFER_BYTES = 4096;
/** …or at the latest this long after they were logged. */
const LOG_FLUSH_INTERVAL_MS = 100;

/**
 * A JSON-lines logger. Without a destination it writes to stdout asynchronously and buffered: lines
 * wait until 4 KB are queued or 100 ms have passed and go out in one write, instead of one write
 * per line (a system call on libuv's thread pool for every HTTP request at `info`). pino writes
 * what is buffered synchronously when the process exits; a process killed with SIGKILL loses at
 * most the last 100 ms of lines.
 */
export function createLogger(
  opts: { level: string; name?: string },
  destination: DestinationStream = pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS }),
): Logger {
  return pino(
    {
      name: opts.name ?? 'calendar-sync-hub',
      level: opts.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** Resolves once the lines logged so far are written (before text written to stdout directly, so it comes after them). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
