import { randomBytes } from 'node:crypto';
import { parseRetryAfter } from '../retry-policy.js';
import type { FailedExchange } from './google-calendar.errors.js';

/**
 * Calendar API batch requests (`POST /batch/calendar/v3`, multipart/mixed): up to 50 calls in one
 * HTTP request — one request against the per-user rate, though every part still costs its quota
 * unit. https://developers.google.com/workspace/calendar/api/guides/batch
 */

/** Google accepts 1000 parts, but recommends batches of at most 50 for the Calendar API. */
export const GOOGLE_BATCH_LIMIT = 50;

export interface GoogleBatchPart {
  method: 'GET' | 'DELETE';
  /** Path and query after the API root, e.g. `/calendar/v3/calendars/primary/events/abc`. */
  path: string;
}

export interface GoogleBatchAnswer {
  status: number;
  failure: FailedExchange | null;
}

/** The multipart body of a batch and its boundary; parts carry `Content-ID: <n>` in order. */
export function batchBody(parts: GoogleBatchPart[]): { boundary: string; body: string } {
  const boundary = `batch_${randomBytes(12).toString('hex')}`;
  const body =
    parts
      .map((p, n) => [`--${boundary}`, 'Content-Type: application/http', `Content-ID: <part-${n}>`, '', `${p.method} ${p.path} HTTP/1.1`, '', ''].join('\r\n'))
      .join('') + `--${boundary}--\r\n`;
  return { boundary, body };
}

/** Reads a batch answer back into one answer per part, in part order (by `Content-ID: response-part-<n>`). */
export function parseBatchAnswer(contentType: string, text: string, partCount: number): GoogleBatchAnswer[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) throw new Error('a Google batch answer without a multipart boundary');
  const boundary = m[1] ?? m[2]!;
  const answers: (GoogleBatchAnswer | undefined)[] = new Array<GoogleBatchAnswer | undefined>(partCount);
  let position = 0;
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const [outerHead = '', rest = ''] = splitOnce(chunk.replace(/^\r?\n/, ''));
    const id = /content-id:\s*<?response-part-(\d+)>?/i.exec(outerHead);
    const index = id ? Number(id[1]) : position;
    position += 1;
    const [innerHead = '', innerBody = ''] = splitOnce(rest.replace(/^(\r?\n)+/, ''));
    const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(innerHead.trim())?.[1] ?? 0);
    const retryAfter = /^retry-after:\s*(.+)$/im.exec(innerHead)?.[1] ?? null;
    if (index >= 0 && index < partCount) answers[index] = { status, failure: status >= 200 && status < 300 ? null : failureOf(status, innerBody, retryAfter) };
  }
  return answers.map((a) => a ?? { status: 0, failure: { status: null, reason: null, message: 'Google did not answer this part of the batch', oauth: false, retryAfterMs: null, transportCode: 'BATCH_PART_MISSING' } });
}

function splitOnce(text: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? [text.slice(0, m.index), text.slice(m.index + m[0].length)] : [text, ''];
}

function failureOf(status: number, body: string, retryAfter: string | null): FailedExchange {
  let reason: string | null = null;
  let message: string | null = null;
  try {
    const parsed = JSON.parse(body.trim()) as { error?: { message?: unknown; errors?: { reason?: unknown; message?: unknown }[] } };
    const first = parsed.error?.errors?.[0];
    reason = typeof first?.reason === 'string' ? first.reason : null;
    message = typeof first?.message === 'string' ? first.message : typeof parsed.error?.message === 'string' ? parsed.error.message : null;
  } catch {
    // Not JSON: the status alone tells.
  }
  return { status, reason, message, oauth: false, retryAfterMs: parseRetryAfter(retryAfter), transportCode: null };
}
