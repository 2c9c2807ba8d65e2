import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** What one attempt got: an HTTP status (any, 2xx is success), or the error that prevented one. */
export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** Bytes of the receiver's answer that are read (and dropped); the rest is not waited for. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Sends one signed webhook: `POST url` with the JSON body and the Standard Webhooks headers
 * (`webhook-id`, `webhook-timestamp` in seconds, `webhook-signature` = `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, made by the `standardwebhooks` package —
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
 * Redirects are not followed (a 3xx is a failed attempt); the connection resolves its host through
 * `lookup` (the SSRF check); an answer slower than `timeoutMs` is a failed attempt.
 */
export async function sendWebhook(args: {
  url: string;
  secret: string;
  webhookId: string;
  payload: string;
  lookup: LookupFunction;
  timeoutMs: number;
  now?: Date;
}): Promise<AttemptResult> {
  const timestamp = args.now ?? new Date();
  const signature = new Webhook(args.secret).sign(args.webhookId, timestamp, args.payload);
  const url = new URL(args.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const done = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = request(
      url,
      {
        method: 'POST',
        lookup: args.lookup,
        timeout: args.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(args.payload),
          'user-agent': 'calendar-sync-hub-webhooks',
          'webhook-id': args.webhookId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const finish = () => done({ ok, status, error: ok ? null : `the endpoint answered HTTP ${status}` });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${args.timeoutMs} ms`)));
    req.on('error', (err) => done({ ok: false, status: null, error: err.message }));
    req.end(args.payload);
  });
}
