import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** A real local webhook endpoint that records the push notifications it receives. */
export interface Notification {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface PushReceiver {
  url: string;
  received: Notification[];
  /** Statuses to answer with, first in first out; 200 once the queue is empty. */
  respondWith: number[];
  /** Resolves with the first notification (already received or future) that matches. */
  waitFor(match: (n: Notification) => boolean, timeoutMs?: number): Promise<Notification>;
  close(): Promise<void>;
}

export async function startPushReceiver(): Promise<PushReceiver> {
  const received: Notification[] = [];
  const waiters: { match: (n: Notification) => boolean; resolve: (n: Notification) => void }[] = [];
  const respondWith: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = respondWith.shift() ?? 200;
      const n = { headers: req.headers, body, status };
      received.push(n);
      res.writeHead(status).end();
      if (status < 300) for (const w of waiters.filter((x) => x.match(n))) w.resolve(n);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/webhooks/google`,
    received,
    respondWith,
    waitFor(match, timeoutMs = 5000) {
      const hit = received.find((n) => n.status < 300 && match(n));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching notification arrived')), timeoutMs);
        waiters.push({ match, resolve: (n) => (clearTimeout(timer), resolve(n)) });
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
