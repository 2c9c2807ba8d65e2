import { isIP } from 'node:net';
import path from 'node:path';
// zod/mini: the same validation as zod's chained API in a twentieth of the code a start loads
// (zod's full build was some 580 KB of the bundle and about 50 ms of each start).
import * as z from 'zod/mini';

/**
 * The hub's configuration. This module is the only reader of `process.env`: everything else
 * receives a `HubConfig`. Each variable is documented in the README's configuration table.
 */

const flag = z.optional(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }));

const bool = (fallback: boolean) => z.pipe(flag, z.transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes')));

/** A flag whose default depends on other variables (resolved in `loadConfig`). */
const optionalBool = z.pipe(flag, z.transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')));

/** An optional string through `parse`, which reports a problem with `return fail(message)`. */
const check = <T>(parse: (v: string | undefined, fail: (message: string) => never) => T) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v: string | undefined, ctx) =>
      parse(v, (message) => {
        ctx.issues.push({ code: 'custom', message, input: v });
        return z.NEVER;
      }),
    ),
  );

const int = (fallback: number, min: number, max: number) =>
  check((v, fail) => {
    if (v === undefined || v.trim() === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) return fail(`expected an integer between ${min} and ${max}`);
    return n;
  });

const optionalString = z.pipe(
  z.optional(z.string()),
  z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
);

/** A string, `fallback` when not set. */
const text = (fallback: string) => z._default(z.optional(z.string()), fallback);

/** One of `values`, `fallback` when not set. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], error: string) =>
  z._default(z.optional(z.enum(values, { error })), fallback);

const httpUrl = (fallback?: string) =>
  check((v, fail) => {
    const value = v === undefined || v.trim() === '' ? fallback : v.trim();
    if (value === undefined) return undefined;
    const u = URL.canParse(value) ? new URL(value) : undefined;
    if (u?.protocol !== 'http:' && u?.protocol !== 'https:') return fail('expected an http(s) URL');
    return value.replace(/\/+$/, '');
  });

const envSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test'], 'development', 'expected development, production or test'),
  HOST: text('127.0.0.1'),
  PORT: int(4000, 0, 65535),
  PUBLIC_URL: httpUrl(),
  DATA_DIR: text('./data'),
  DATABASE_URL: optionalString,
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', 'expected one of fatal, error, warn, info, debug, trace, silent'),
  GRAPHQL_INTROSPECTION: optionalBool,
  GRAPHQL_MAX_DEPTH: int(12, 2, 100),
  GRAPHQL_MAX_COMPLEXITY: int(5000, 10, 1_000_000),
  GRAPHQL_MAX_ALIASES: int(50, 1, 10_000),
  GRAPHQL_RATE_LIMIT_PER_MINUTE: int(300_000, 0, 100_000_000),
  GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET: int(50, 1, 10_000),
  SHUTDOWN_GRACE_MS: int(10_000, 0, 600_000),
  HTTP_REQUEST_TIMEOUT_MS: int(30_000, 100, 600_000),
  JOBS_ENABLED: bool(true),
  JOBS_POLL_INTERVAL_MS: int(2_000, 50, 3_600_000),
  JOBS_LOCK_LIFETIME_MS: int(600_000, 1_000, 86_400_000),
  JOBS_CONCURRENCY: int(10, 1, 1_000),
  HUB_ENCRYPTION_KEYS: optionalString,
  MICROSOFT_CLIENT_ID: optionalString,
  MICROSOFT_CLIENT_SECRET: optionalString,
  MICROSOFT_TENANT: text('common'),
  MICROSOFT_AUTHORITY_HOST: httpUrl('https://login.microsoftonline.com'),
  MICROSOFT_GRAPH_BASE_URL: httpUrl('https://graph.microsoft.com'),
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GOOGLE_AUTH_URL: httpUrl('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: httpUrl('https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: httpUrl('https://oauth2.googleapis.com/revoke'),
  GOOGLE_CALENDAR_ROOT_URL: httpUrl('https://www.googleapis.com'),
  SANDBOX_PROVIDERS: oneOf(['auto', 'on', 'off'], 'auto', 'expected auto, on or off'),
  SANDBOX_MICROSOFT_PORT: int(0, 0, 65535),
  SANDBOX_GOOGLE_PORT: int(0, 0, 65535),
  CONNECTION_REFRESH_INTERVAL_MS: int(3_600_000, 1_000, 604_800_000),
  TRUST_PROXY: check((v, fail): TrustProxy => {
    const value = v?.trim() ?? '';
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value) && Number(value) <= 100) return Number(value);
    const entries = value.split(',').map((e) => e.trim());
    const bad = entries.find((e) => !isAddressOrCidr(e));
    if (bad !== undefined) return fail(`expected false, true, a hop count, or addresses/CIDRs separated by commas ("${bad}" is none of these)`);
    return entries;
  }),
  SYNC_POLL_INTERVAL_MS: int(0, 0, 86_400_000),
  SYNC_LEASE_MS: int(120_000, 1_000, 3_600_000),
  SYNC_RUN_RETENTION_DAYS: int(30, 1, 3_650),
  PUSH_NOTIFICATIONS: oneOf(['auto', 'on', 'off'], 'auto', 'expected auto, on or off'),
  PUSH_CHECK_INTERVAL_MS: int(3_600_000, 1_000, 86_400_000),
});

/** An IPv4/IPv6 address, optionally with a CIDR prefix length. */
export function isAddressOrCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies in front of the hub are believed about the client's address (`X-Forwarded-For`):
 * none (`false`), all (`true`), the nearest N hops, or the listed addresses/CIDRs.
 */
export type TrustProxy = boolean | number | string[];

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string; url: string }
  | { kind: 'mongodb'; url: string; dbName: string };

export interface ProviderCredentials {
  clientId: string;
  clientSecret: string;
}

export interface HubConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /**
   * Externally reachable base URL of the hub (OAuth redirect URIs and webhooks derive from it);
   * by default `http://<the address the hub listens on>:<PORT>` (see `urlHostOf`).
   */
  publicUrl: string;
  /** Absolute path of the data folder (SQLite file, generated keys, sandbox state). */
  dataDir: string;
  database: DatabaseConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Operation limits (README, "Security"); introspection is off by default in production. */
  graphql: {
    introspection: boolean;
    maxDepth: number;
    maxComplexity: number;
    maxAliases: number;
    /** Cost points each API key may spend per minute on one instance; 0: no limit. */
    rateLimitPerMinute: number;
    maxSubscriptionsPerSocket: number;
  };
  shutdownGraceMs: number;
  /** How long a client may take to send an HTTP request's headers, and then its body (each). */
  http: { requestTimeoutMs: number };
  jobs: { enabled: boolean; pollIntervalMs: number; lockLifetimeMs: number; concurrency: number };
  /** Raw `HUB_ENCRYPTION_KEYS` (`kid:base64key,...`, first is active); parsed by the token vault. */
  encryptionKeys: string | undefined;
  microsoft: {
    credentials: ProviderCredentials | undefined;
    tenant: string;
    authorityHost: string;
    graphBaseUrl: string;
  };
  google: {
    credentials: ProviderCredentials | undefined;
    authUrl: string;
    tokenUrl: string;
    revokeUrl: string;
    calendarRootUrl: string;
  };
  sandbox: { mode: 'auto' | 'on' | 'off'; microsoftPort: number; googlePort: number };
  /** Calendar linking: how often each ACTIVE link's calendar list (and with it its grant) is refreshed. */
  linking: { refreshIntervalMs: number };
  /** `TRUST_PROXY`: whose `X-Forwarded-For` names the client (IP allow-lists, logs). */
  trustProxy: TrustProxy;
  sync: {
    /** When set, every link polls at this interval instead of its tenant's cadence (tests, demos, benchmarks). */
    pollIntervalMs: number | null;
    /** How long a link's lease lasts without renewal (a crashed worker's lease frees itself after this). */
    leaseMs: number;
    /** Finished sync runs and change-feed entries older than this are deleted. */
    runRetentionDays: number;
  };
  /**
   * Push notifications in (Graph subscriptions, Google watch channels). `auto`: on for sandbox
   * providers, and for real ones when `PUBLIC_URL` was set (`publicUrlSet`) — https in production.
   * `checkIntervalMs`: how often each link's channels are checked, renewed and re-created.
   */
  push: { mode: 'auto' | 'on' | 'off'; publicUrlSet: boolean; checkIntervalMs: number };
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;

function parseDatabaseUrl(raw: string | undefined, dataDir: string): DatabaseConfig | string {
  if (raw === undefined) {
    const file = path.join(dataDir, 'hub.db');
    return { kind: 'sqlite', file, url: `sqlite:${file}` };
  }
  if (raw.startsWith('mongodb://') || raw.startsWith('mongodb+srv://')) {
    let dbName: string;
    try {
      const u = new URL(raw);
      dbName = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'calendar_sync_hub';
    } catch {
      return 'expected a valid mongodb:// URL';
    }
    return { kind: 'mongodb', url: raw, dbName };
  }
  const m = /^(?:sqlite|file):(.*)$/.exec(raw);
  if (m) {
    const target = m[1] ?? '';
    if (target === '' ) return 'expected sqlite:<file path> or sqlite::memory:';
    if (target === ':memory:') return { kind: 'sqlite', file: ':memory:', url: raw };
    const file = path.resolve(target.replace(/^\/\/(?=\/)/, ''));
    return { kind: 'sqlite', file, url: `sqlite:${file}` };
  }
  return 'expected sqlite:<file path>, sqlite::memory: or mongodb://host/db';
}

/** Parses and validates an environment record. Throws `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const parsed = envSchema.safeParse(env);
  const problems: { variable: string; message: string }[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ variable: String(issue.path[0] ?? '?'), message: issue.message });
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const database = parseDatabaseUrl(e.DATABASE_URL, dataDir);
  if (typeof database === 'string') problems.push({ variable: 'DATABASE_URL', message: database });

  const pair = (id: string | undefined, secret: string | undefined, prefix: string) => {
    if (id && secret) return { clientId: id, clientSecret: secret };
    if (id || secret) {
      problems.push({
        variable: id ? `${prefix}_CLIENT_SECRET` : `${prefix}_CLIENT_ID`,
        message: `set both ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET, or neither (sandbox provider)`,
      });
    }
    return undefined;
  };
  const microsoftCredentials = pair(e.MICROSOFT_CLIENT_ID, e.MICROSOFT_CLIENT_SECRET, 'MICROSOFT');
  const googleCredentials = pair(e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET, 'GOOGLE');
  if (e.MICROSOFT_AUTHORITY_HOST && !e.MICROSOFT_AUTHORITY_HOST.startsWith('https://')) {
    problems.push({ variable: 'MICROSOFT_AUTHORITY_HOST', message: 'expected an https URL (MSAL refuses http authorities)' });
  }
  if (e.PUSH_NOTIFICATIONS === 'on' && e.NODE_ENV === 'production' && !e.PUBLIC_URL?.startsWith('https://')) {
    problems.push({ variable: 'PUSH_NOTIFICATIONS', message: 'push notifications in production need an https PUBLIC_URL (providers only post to https)' });
  }
  if (e.GRAPHQL_RATE_LIMIT_PER_MINUTE > 0 && e.GRAPHQL_RATE_LIMIT_PER_MINUTE < e.GRAPHQL_MAX_COMPLEXITY) {
    problems.push({ variable: 'GRAPHQL_RATE_LIMIT_PER_MINUTE', message: 'expected 0 (no limit) or at least GRAPHQL_MAX_COMPLEXITY, so the costliest operation allowed can run' });
  }
  if (problems.length > 0 || typeof database === 'string') throw new ConfigError(problems);

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL ?? `http://${urlHostOf(e.HOST)}:${e.PORT}`,
    dataDir,
    database,
    logLevel: e.LOG_LEVEL,
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxComplexity: e.GRAPHQL_MAX_COMPLEXITY,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      rateLimitPerMinute: e.GRAPHQL_RATE_LIMIT_PER_MINUTE,
      maxSubscriptionsPerSocket: e.GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    http: { requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS },
    jobs: {
      enabled: e.JOBS_ENABLED,
      pollIntervalMs: e.JOBS_POLL_INTERVAL_MS,
      lockLifetimeMs: e.JOBS_LOCK_LIFETIME_MS,
      concurrency: e.JOBS_CONCURRENCY,
    },
    encryptionKeys: e.HUB_ENCRYPTION_KEYS,
    microsoft: {
      credentials: microsoftCredentials,
      tenant: e.MICROSOFT_TENANT,
      authorityHost: e.MICROSOFT_AUTHORITY_HOST!,
      graphBaseUrl: e.MICROSOFT_GRAPH_BASE_URL!,
    },
    google: {
      credentials: googleCredentials,
      authUrl: e.GOOGLE_AUTH_URL!,
      tokenUrl: e.GOOGLE_TOKEN_URL!,
      revokeUrl: e.GOOGLE_REVOKE_URL!,
      calendarRootUrl: e.GOOGLE_CALENDAR_ROOT_URL!,
    },
    sandbox: {
      mode: e.SANDBOX_PROVIDERS,
      microsoftPort: e.SANDBOX_MICROSOFT_PORT,
      googlePort: e.SANDBOX_GOOGLE_PORT,
    },
    linking: { refreshIntervalMs: e.CONNECTION_REFRESH_INTERVAL_MS },
    trustProxy: e.TRUST_PROXY,
    sync: { pollIntervalMs: e.SYNC_POLL_INTERVAL_MS === 0 ? null : e.SYNC_POLL_INTERVAL_MS, leaseMs: e.SYNC_LEASE_MS, runRetentionDays: e.SYNC_RUN_RETENTION_DAYS },
    push: { mode: e.PUSH_NOTIFICATIONS, publicUrlSet: e.PUBLIC_URL !== undefined, checkIntervalMs: e.PUSH_CHECK_INTERVAL_MS },
  };
}

/**
 * The host of a URL that reaches a server listening on `host`: the address itself (an IPv6 one in
 * brackets), and 127.0.0.1 for a wildcard (`0.0.0.0`, or `::`, which Node listens on dual-stack).
 * The default PUBLIC_URL is built with it, so the OAuth callback URL names an address the hub
 * listens on — never `localhost`, which may resolve to the other address family (RFC 8252 §8.3;
 * Microsoft does not accept the IPv6 loopback in redirect URIs, hence 127.0.0.1 for `::`).
 */
export function urlHostOf(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
