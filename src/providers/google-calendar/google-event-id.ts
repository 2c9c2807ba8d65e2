import { createHash } from 'node:crypto';

/**
 * Client-chosen Google event ids (docs/providers.md#google-event-ids): base32hex lowercase (`a–v`, `0–9`), 5–1024
 * characters, unique per calendar — and, because cancelled events keep their id, unique for ever.
 * The id is derived from the idempotency key (the mapping id) so a create retried after a lost
 * answer addresses the same event and Google answers 409 instead of creating a duplicate.
 * https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
 */

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const MIN_LENGTH = 5;
const MAX_LENGTH = 1024;

/** RFC 4648 §7 base32hex, lowercase, without padding. */
export function base32hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export const isGoogleEventId = (id: string): boolean => /^[a-v0-9]{5,1024}$/.test(id);

/**
 * The event id for an idempotency key. `attempt` 0 is the key itself (readable: it decodes back
 * to the mapping id); attempts 1, 2, ... are fresh ids for the same key, used when the first id
 * belongs to a deleted event of ours that Google refuses to restore.
 */
export function eventIdForKey(key: string, attempt = 0): string {
  const source = attempt === 0 ? key : `${key}#${attempt}`;
  const encoded = base32hex(new TextEncoder().encode(source));
  if (encoded.length >= MIN_LENGTH && encoded.length <= MAX_LENGTH) return encoded;
  return base32hex(createHash('sha256').update(source).digest());
}
