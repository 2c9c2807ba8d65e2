import type { FastifyInstance } from 'fastify';

/** One dependency `/readyz` checks; it throws (or times out) when the dependency is unreachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process is alive and serving HTTP (liveness; no dependency is checked, so a
 * database outage does not get the process restarted).
 * `/readyz`: every dependency answers — the database, the job scheduler, the subscription
 * transport — and the hub is not shutting down (readiness; a load balancer stops sending traffic
 * on 503).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { checks: ReadinessCheck[]; isShuttingDown: () => boolean },
): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (request, reply) => {
    if (deps.isShuttingDown()) return reply.code(503).send({ status: 'shutting-down', checks: {} });
    const results = await Promise.all(
      deps.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return [name, { ok: true }] as const;
        } catch (err) {
          request.log.warn({ err, check: name }, 'readiness check failed');
          // The reason goes to the log only: this route is unauthenticated.
          return [name, { ok: false }] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
  });
}
