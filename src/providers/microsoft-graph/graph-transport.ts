import type { RequestMeter } from '../provider-module.js';
import { AuthenticationHandlerOptions, GraphError, ResponseType, type AuthenticationProvider, type Client } from '@microsoft/microsoft-graph-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProviderError, ProviderError } from '../calendar-provider.js';
import { parseRetryAfter, RetrySchedule, type RetryPolicy } from '../retry-policy.js';
import type { MailboxLimiter } from './mailbox-limiter.js';
import { graphHttpError, graphNetworkError, parseGraphErrorBody, tokenAcquisitionError, type GraphFailureContext } from './microsoft-graph.errors.js';

/** Where Graph calls get their bearer token (MSAL `acquireTokenSilent` per connection, or a fixed token while linking). */
export interface AccessTokenSource {
  accessToken(opts?: { forceRefresh?: boolean }): Promise<string>;
}

/** Resilience knobs; the defaults suit production, tests shorten the waits. */
export interface GraphTuning {
  /**
   * Retries of one request after 429/503/504 (and 5xx or network failures of idempotent requests),
   * under the hub's retry policy: a Retry-After longer than the wait budget gives up at once with
   * RATE_LIMITED.
   */
  retry: RetryPolicy;
  /** A request without an answer after this long is abandoned (TRANSIENT). */
  requestTimeoutMs: number;
  /** Concurrent requests per mailbox (Outlook allows 4: docs/providers.md#graph-throttling-and-batching). */
  mailboxConcurrency: number;
  /** `Prefer: odata.maxpagesize` of delta rounds. */
  deltaPageSize: number;
  /** `$top` of list calls (calendars, calendarView, instances, tagged events). */
  pageSize: number;
}

export const DEFAULT_GRAPH_TUNING: GraphTuning = {
  retry: { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxTotalWaitMs: 30_000 },
  requestTimeoutMs: 60_000,
  mailboxConcurrency: 4,
  deltaPageSize: 100,
  pageSize: 100,
};

/**
 * Preferences sent on every call (docs/providers.md#graph-requests-and-preferences): immutable ids, so an event keeps its id when it
 * moves between calendars; timed `start`/`end` rendered in UTC (the mapper reads the event's own
 * zone from `originalStartTimeZone`). Bodies stay HTML (Graph's default, lossless); the mapper
 * normalises them.
 */
export const BASE_PREFER = ['IdType="ImmutableId"', 'outlook.timezone="UTC"'];

export interface GraphCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the version (`/me/calendars?$top=50`, query values already URL-encoded) or an absolute https link. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Extra `Prefer` values (e.g. `odata.maxpagesize=100`). */
  prefer?: string[];
  /** For messages: "reading calendars". */
  action: string;
  /** Safe to send again after a 5xx answer (GET, DELETE, PATCH, a create with a transactionId). */
  idempotent: boolean;
  /** Statuses handed back to the caller instead of thrown (404 for lookups, 410 for delta). */
  accept?: number[];
  /** Limiter units (a `$batch` holds one per part, up to the mailbox limit). */
  weight?: number;
}

export interface GraphAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T | null;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'DELETE']);
/** JSON batching limit (docs/providers.md#graph-throttling-and-batching). */
export const BATCH_LIMIT = 20;
const BATCH_PARALLELISM = 4;

/** One request of a `$batch` (url relative to the version, e.g. `/me/events/{id}`). */
export interface BatchPart {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: unknown;
}

/**
 * One Graph connection's request pipeline: the mailbox limiter around each attempt (released while
 * waiting), one retry layer honouring Retry-After on 429/503/504 with a bounded total wait (the
 * SDK's RetryHandler is left out of the chain so retries never stack), a forced token refresh on a
 * 401, and every failure normalised to `ProviderError`. Responses are read raw (`ResponseType.RAW`)
 * so status, ETag and Retry-After stay visible.
 */
export class GraphTransport {
  constructor(
    private readonly deps: {
      client: Client;
      limiter: MailboxLimiter;
      tokens: AccessTokenSource;
      tuning: GraphTuning;
      meter?: RequestMeter;
    },
  ) {}

  get tuning(): GraphTuning {
    return this.deps.tuning;
  }

  async send<T = unknown>(call: GraphCall): Promise<GraphAnswer<T>> {
    const ctx: GraphFailureContext = { action: call.action, write: WRITE_METHODS.has(call.method) };
    const schedule = new RetrySchedule(this.deps.tuning.retry);
    let refreshed = false;
    let forceRefresh = false;
    for (;;) {
      const force = forceRefresh;
      forceRefresh = false;
      const outcome = await this.deps.limiter.run(call.weight ?? 1, () => this.attempt(call, force));
      if (outcome.kind === 'network') {
        // A request that got no answer may have been applied; only reads are resent blindly.
        if (call.method === 'GET') {
          const next = schedule.next();
          if (next.retry) {
            await sleep(next.delayMs);
            continue;
          }
        }
        throw graphNetworkError(ctx);
      }
      const { res } = outcome;
      if ((res.status >= 200 && res.status < 300) || call.accept?.includes(res.status)) {
        return { status: res.status, headers: res.headers, body: await readJson<T>(res) };
      }
      const text = await res.text();
      if (res.status === 401 && !refreshed) {
        // The cached access token was refused (revoked, or expired early): refresh once, then retry.
        refreshed = true;
        forceRefresh = true;
        continue;
      }
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      const retryable = res.status === 429 || res.status === 503 || res.status === 504 || (res.status >= 500 && call.idempotent);
      const error = graphHttpError(res.status, parseGraphErrorBody(text), wait, ctx);
      if (!retryable) throw error;
      const next = schedule.next(wait);
      if (!next.retry) throw error;
      await sleep(next.delayMs);
    }
  }

  private async attempt(call: GraphCall, forceRefresh: boolean): Promise<{ kind: 'response'; res: Response } | { kind: 'network' }> {
    let authFailure: ProviderError | null = null;
    const tokens = this.deps.tokens;
    const provider: AuthenticationProvider = {
      async getAccessToken() {
        try {
          return await tokens.accessToken({ forceRefresh });
        } catch (e) {
          authFailure = isProviderError(e) ? e : tokenAcquisitionError(e);
          throw authFailure;
        }
      },
    };
    const prefer = [...BASE_PREFER, ...(call.prefer ?? [])].join(', ');
    this.deps.meter?.request(call.path === '/$batch' ? (call.weight ?? 0) : 0);
    const request = this.deps.client
      .api(call.path)
      .responseType(ResponseType.RAW)
      .headers({ Prefer: prefer, ...call.headers })
      .middlewareOptions([new AuthenticationHandlerOptions(provider)]);
    try {
      let res: unknown;
      switch (call.method) {
        case 'GET':
          res = await request.get();
          break;
        case 'POST':
          res = await request.post(call.body ?? {});
          break;
        case 'PATCH':
          res = await request.patch(call.body ?? {});
          break;
        case 'DELETE':
          res = await request.delete();
          break;
      }
      if (!(res instanceof Response)) throw new ProviderError('UNKNOWN', `Microsoft Graph gave no response while ${call.action}.`);
      return { kind: 'response', res };
    } catch (e) {
      if (authFailure) throw authFailure;
      if (isProviderError(e)) throw e;
      if (e instanceof GraphError && e.statusCode > 0) throw new ProviderError('UNKNOWN', `Microsoft Graph failed while ${call.action} (HTTP ${e.statusCode}).`, { status: e.statusCode });
      return { kind: 'network' };
    }
  }

  /**
   * Runs parts through `POST /$batch` (docs/providers.md#graph-throttling-and-batching): chunks of at
   * most 20, at most 4 chunks in flight, each chunk holding one limiter unit per part (inner
   * requests count against the mailbox's concurrency). Parts answered 429/503/504 are sent again
   * after the longest Retry-After among them, within the same retry budget as single requests;
   * whatever still fails is returned as answered. Answers come back keyed by part id.
   */
  async batch(parts: BatchPart[], action: string): Promise<Map<string, BatchAnswer>> {
    const out = new Map<string, BatchAnswer>();
    const chunks: BatchPart[][] = [];
    for (let i = 0; i < parts.length; i += BATCH_LIMIT) chunks.push(parts.slice(i, i + BATCH_LIMIT));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        for (const [id, answer] of await this.batchChunk(chunk, action)) out.set(id, answer);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_PARALLELISM, chunks.length) }, worker));
    return out;
  }

  private async batchChunk(parts: BatchPart[], action: string): Promise<Map<string, BatchAnswer>> {
    const schedule = new RetrySchedule(this.deps.tuning.retry);
    const out = new Map<string, BatchAnswer>();
    const prefer = BASE_PREFER.join(', ');
    let pending = parts;
    for (;;) {
      const answer = await this.send<{ responses?: { id?: unknown; status?: unknown; headers?: unknown; body?: unknown }[] }>({
        method: 'POST',
        path: '/$batch',
        body: {
          requests: pending.map((p) => ({
            id: p.id,
            method: p.method,
            url: p.url,
            headers: { Prefer: prefer, ...(p.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...p.headers },
            ...(p.body !== undefined ? { body: p.body } : {}),
          })),
        },
        action,
        idempotent: pending.every((p) => p.method !== 'POST'),
        weight: pending.length,
      });
      const byId = new Map((answer.body?.responses ?? []).map((r) => [String(r.id), r]));
      const again: BatchPart[] = [];
      let wait: number | null = null;
      for (const part of pending) {
        const r = byId.get(part.id);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries((r?.headers ?? {}) as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
        const status = typeof r?.status === 'number' ? r.status : 0;
        out.set(part.id, { status, headers, body: r?.body ?? null });
        if (status === 429 || status === 503 || status === 504) {
          again.push(part);
          const asked = parseRetryAfter(headers['retry-after']);
          if (asked !== null) wait = Math.max(wait ?? 0, asked);
        }
      }
      if (again.length === 0) return out;
      // The longest Retry-After among the parts (back-off when none said).
      const next = schedule.next(wait);
      if (!next.retry) return out;
      await sleep(next.delayMs);
      pending = again;
    }
  }
}

async function readJson<T>(res: Response): Promise<T | null> {
  const text = await res.text();
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderError('UNKNOWN', `Microsoft Graph answered ${res.status} with a body that is not JSON.`, { status: res.status });
  }
}
