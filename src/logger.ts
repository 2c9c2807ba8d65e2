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

/**
 * A JSON-lines logger. Without a destination it writes to stdout asynchronously: lines queue while
 * a write is in progress and go out together, instead of one blocking write per line (two per HTTP
 * request at `info`). pino flushes what is queued when the process exits.
 */
export function createLogger(opts: { level: string; name?: string }, destination: DestinationStream = pino.destination({ dest: 1, sync: false })): Logger {
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
