import http from 'node:http';
import https from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import {
  AuthenticationHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';

/**
 * Transport for the Microsoft SDKs that trusts one extra CA (the local emulator's) for these calls
 * only — never `NODE_TLS_REJECT_UNAUTHORIZED=0`, never a global agent. Without a CA it uses the
 * system trust store, so the same code talks to the real Microsoft hosts.
 *
 * `createCaFetch` is a WHATWG-`fetch`-shaped function over `node:https` with its own agent. It does
 * not follow redirects (the Graph client's RedirectHandler does that itself) and buffers response
 * bodies (Graph and token responses are small).
 */
export interface CaFetchOptions {
  /** PEM of an extra CA to trust on top of the system roots (the emulator's CA). */
  caPem?: string;
  /** Abort a request that has not completed after this many ms (a hung server); default none. */
  timeoutMs?: number;
}

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface CaFetch extends FetchFunction {
  /** Closes the agent's idle keep-alive sockets. */
  close(): void;
}

function bodyBuffer(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  throw new TypeError('createCaFetch supports string, Buffer, ArrayBuffer, typed array and URLSearchParams bodies');
}

export function createCaFetch(opts: CaFetchOptions = {}): CaFetch {
  // The trust store is built once, as a TLS context the agent hands to every connection. Passing
  // `ca` instead (≈ 216 KB: the system roots plus the CA) made Node copy that list into the
  // connection-pool key of every request, some 4 ms of CPU each. It is built on the first HTTPS
  // request, not when the hub starts: parsing those certificates takes some 50 ms.
  let httpsAgent: https.Agent | undefined;
  const secureAgent = () =>
    (httpsAgent ??= new https.Agent({ keepAlive: true, ...(opts.caPem ? { secureContext: createSecureContext({ ca: [...rootCertificates, opts.caPem] }) } : {}) }));
  const httpAgent = new http.Agent({ keepAlive: true });

  const fetchFn = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    const payload = bodyBuffer(init.body);
    if (payload && !headers.has('content-length')) headers.set('content-length', String(payload.length));
    const outgoing: Record<string, string> = {};
    headers.forEach((value, key) => {
      outgoing[key] = value;
    });
    const signals = [init.signal, opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined].filter((s): s is AbortSignal => !!s);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    if (signal?.aborted) throw signal.reason;

    return new Promise<Response>((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(url, { method, headers: outgoing, agent: url.protocol === 'https:' ? secureAgent() : httpAgent });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError'));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
            else if (value !== undefined) responseHeaders.set(key, value);
          }
          const status = res.statusCode ?? 0;
          const noBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        });
      });
      req.end(payload);
    });
  };
  return Object.assign(fetchFn, {
    close() {
      httpsAgent?.destroy();
      httpAgent.destroy();
    },
  });
}

/** The last middleware of a Graph client chain: sends the request with the given fetch instead of the global one. */
export class GraphFetchHandler implements Middleware {
  constructor(private readonly fetchFn: FetchFunction) {}

  async execute(context: Context): Promise<void> {
    context.response = await this.fetchFn(context.request as string | Request, context.options as RequestInit | undefined);
  }
}

export interface GraphMiddlewareOptions {
  authProvider: AuthenticationProvider;
  fetch: FetchFunction;
  /** RetryHandler: retries of 429/503/504 honouring Retry-After (SDK default 3). */
  maxRetries?: number;
  /** RetryHandler: base delay in seconds when no Retry-After is sent (SDK default 3). */
  retryDelaySeconds?: number;
}

/**
 * The Graph client's default chain (auth → retry → redirect → telemetry) ending in
 * `GraphFetchHandler`; pass it as `Client.initWithMiddleware({ middleware, customHosts, baseUrl })`.
 */
export function createGraphMiddleware(opts: GraphMiddlewareOptions): Middleware[] {
  return [
    new AuthenticationHandler(opts.authProvider),
    new RetryHandler(new RetryHandlerOptions(opts.retryDelaySeconds ?? 3, opts.maxRetries ?? 3)),
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    new GraphFetchHandler(opts.fetch),
  ];
}
