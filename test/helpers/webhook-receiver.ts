import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A webhook as the host received it. `verified` is the parsed body when the signature checked out with the endpoint's secret. */
export interface ReceivedWebhook {
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  verified: { type: string; timestamp: string; data: unknown } | null;
  verifyError: string | null;
}

/**
 * The host's receiver, as an integrator would write it: every request is checked with the
 * `standardwebhooks` package against the endpoint's secret (`secret` is set once the endpoint
 * exists). `respondWith` holds the statuses of the next answers (200 once empty).
 */
export interface WebhookReceiver {
  url: string;
  secret: string | null;
  received: ReceivedWebhook[];
  respondWith: number[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks/calendar'): Promise<WebhookReceiver> {
  const receiver: Omit<WebhookReceiver, 'url' | 'close' | 'waitFor'> = { secret: null, received: [], respondWith: [] };
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const status = receiver.respondWith.shift() ?? 200;
      let verified: ReceivedWebhook['verified'] = null;
      let verifyError: string | null = null;
      try {
        verified = new Webhook(receiver.secret ?? 'whsec_').verify(body, req.headers as Record<string, string>) as ReceivedWebhook['verified'];
      } catch (err) {
        verifyError = err instanceof Error ? err.message : String(err);
      }
      receiver.received.push({ webhookId: String(req.headers['webhook-id']), headers: req.headers, body, status, verified, verifyError });
      res.writeHead(status).end();
      for (const w of waiters.filter((x) => receiver.received.length >= x.count)) w.resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}${path}`,
    waitFor(count: number, timeoutMs = 10_000) {
      if (receiver.received.length >= count) return Promise.resolve(receiver.received);
      return new Promise<ReceivedWebhook[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} webhooks, got ${receiver.received.length}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(receiver.received)) });
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}
