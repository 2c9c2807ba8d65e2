import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorCore } from './emulator-core.js';
import { FaultRuleError, type EmulatorProvider, type FaultRuleInput } from './faults.js';

/** Header set on requests an emulator dispatches to itself for a batch part (`app.inject`). */
export const BATCH_PART_HEADER = 'x-emulator-batch-part';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Stable route id used by fault rules and counters, e.g. `graph.events.create`. */
    routeId?: string;
  }
  interface FastifyRequest {
    emulatorAccounts?: string[];
    emulatorBytesOut?: number;
    /** Set by a `dropResponse` fault: the handler runs, the answer is never delivered. */
    emulatorDropResponse?: boolean;
    /** Set by a `hangAfterCommit` fault: the handler runs, the answer waits until the client goes away. */
    emulatorHangAfterCommit?: boolean;
    /** When handling began (the journal's `startedAt`). */
    emulatorStartedAt?: number;
  }
}

export interface InstrumentOptions {
  provider: EmulatorProvider;
  core: EmulatorCore;
  /** Every name of the calling account (id, email), from its token, code or body; `[]` if unknown. */
  resolveAccounts(request: FastifyRequest): string[] | Promise<string[]>;
  /** The provider's own error body and headers for an injected status. */
  renderError(status: number, request: FastifyRequest): { body: unknown; headers?: Record<string, string> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const routeIdOf = (request: FastifyRequest): string =>
  request.routeOptions.config?.routeId ?? (request.routeOptions.url ? `unrouted:${request.method}` : 'not-found');

/**
 * Wires fault injection and counters into an emulator's Fastify app. Control routes (`/_control`)
 * are neither counted nor faulted. Hung requests are destroyed when the app closes.
 */
export function instrumentEmulator(app: FastifyInstance, opts: InstrumentOptions): void {
  const hung = new Set<FastifyRequest>();
  const isControl = (req: FastifyRequest) => req.url.startsWith('/_control') || routeIdOf(req).startsWith('control.');

  app.addHook('preHandler', async (request, reply: FastifyReply) => {
    if (isControl(request)) return;
    request.emulatorStartedAt = performance.now();
    request.emulatorAccounts = (await opts.resolveAccounts(request)).filter(Boolean);
    const action = opts.core.faults.match({
      provider: opts.provider,
      route: routeIdOf(request),
      method: request.method,
      accounts: request.emulatorAccounts,
    });
    if (!action) return;
    switch (action.kind) {
      case 'latency':
        await sleep(action.ms);
        return;
      case 'reset':
        request.raw.socket?.destroy();
        return reply.hijack();
      case 'dropResponse':
        request.emulatorDropResponse = true;
        return;
      case 'hangAfterCommit':
        request.emulatorHangAfterCommit = true;
        return;
      case 'hang':
        hung.add(request);
        await new Promise<void>((resolve) => request.raw.socket?.once('close', () => resolve()));
        hung.delete(request);
        return reply.hijack();
      case 'status': {
        const rendered = action.body === undefined ? opts.renderError(action.status, request) : { body: action.body, headers: {} };
        reply.code(action.status);
        for (const [k, v] of Object.entries({ ...rendered.headers, ...action.headers })) reply.header(k, v);
        if (action.retryAfterSeconds !== undefined) reply.header('retry-after', String(action.retryAfterSeconds));
        return reply.send(rendered.body);
      }
    }
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) request.emulatorBytesOut = Buffer.byteLength(payload);
    if (request.emulatorDropResponse) request.raw.socket?.destroy();
    if (request.emulatorHangAfterCommit) {
      hung.add(request);
      await new Promise<void>((resolve) => (request.raw.socket && !request.raw.socket.destroyed ? request.raw.socket.once('close', () => resolve()) : resolve()));
      hung.delete(request);
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (isControl(request)) return;
    const accounts = request.emulatorAccounts ?? [];
    const batched = request.headers[BATCH_PART_HEADER] === '1';
    opts.core.counters.record({
      provider: opts.provider,
      route: routeIdOf(request),
      account: accounts[0] ?? null,
      bytesIn: Number(request.headers['content-length'] ?? 0) || 0,
      bytesOut: request.emulatorBytesOut ?? 0,
      status: reply.statusCode,
      batched,
    });
    opts.core.journal.record({
      provider: opts.provider,
      route: routeIdOf(request),
      method: request.method,
      url: request.url,
      account: accounts[0]?.toLowerCase() ?? null,
      status: reply.statusCode,
      batched,
      startedAt: request.emulatorStartedAt ?? performance.now(),
      endedAt: performance.now(),
    });
  });

  app.addHook('onClose', async () => {
    // A hung part of a Graph batch came in through `app.inject`: its socket is a stand-in without `destroy` (the batch's own request is hung too, and its socket is destroyed).
    for (const req of hung) if (typeof req.raw.socket?.destroy === 'function') req.raw.socket.destroy();
  });

  registerCoreControlRoutes(app, opts.provider, opts.core);
}

/** `/_control/faults`, `/_control/counters`, `/_control/clock` for one provider's emulator. */
function registerCoreControlRoutes(app: FastifyInstance, provider: EmulatorProvider, core: EmulatorCore): void {
  const config = { routeId: 'control' };
  app.get('/_control/faults', { config }, async () => ({ value: core.faults.list(provider) }));
  app.post('/_control/faults', { config }, async (request, reply) => {
    try {
      const rule = core.faults.add({ ...(request.body as Omit<FaultRuleInput, 'provider'>), provider });
      return reply.code(201).send(rule);
    } catch (e) {
      if (e instanceof FaultRuleError) return reply.code(400).send({ error: e.message });
      throw e;
    }
  });
  app.delete('/_control/faults', { config }, async (_request, reply) => {
    core.faults.clear(provider);
    return reply.code(204).send();
  });
  app.delete('/_control/faults/:id', { config }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return core.faults.remove(id) ? reply.code(204).send() : reply.code(404).send({ error: 'no such fault rule' });
  });
  app.get('/_control/counters', { config }, async (request) => {
    const q = request.query as { route?: string; account?: string };
    const filter = { provider, ...(q.route ? { route: q.route } : {}), ...(q.account ? { account: q.account } : {}) };
    return { total: core.counters.total(filter), rows: core.counters.snapshot(filter) };
  });
  app.delete('/_control/counters', { config }, async (_request, reply) => {
    core.counters.reset();
    return reply.code(204).send();
  });
  app.post('/_control/clock', { config }, async (request, reply) => {
    const body = (request.body ?? {}) as { advanceMs?: number; reset?: boolean };
    if (body.reset) core.clock.reset();
    else if (typeof body.advanceMs === 'number' && Number.isFinite(body.advanceMs) && body.advanceMs >= 0) core.clock.advance(body.advanceMs);
    else return reply.code(400).send({ error: 'expected {advanceMs: number >= 0} or {reset: true}' });
    return { now: new Date(core.clock.now()).toISOString() };
  });
}
