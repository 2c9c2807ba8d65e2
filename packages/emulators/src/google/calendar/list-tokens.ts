import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Sync and page tokens: opaque to clients, signed so that an edited or truncated token is
 * recognised (Google answers a corrupted sync token with 410 fullSyncRequired, as an invalidated one:
 * docs/providers.md#google-incremental-sync).
 */

export interface SyncTokenPayload {
  /** 'events' or 'calendarList'. */
  kind: 'e' | 'l';
  /** Calendar id (events) or account id (calendar list). */
  resource: string;
  account: string;
  /** Changes with a higher `changeSeq` than this are "since the token". */
  seq: number;
  /** The calendar's `syncEpoch` when issued; a bump invalidates the token. */
  epoch: number;
  issuedAt: number;
}

export interface PageTokenPayload {
  /**
   * Sort key of the last item served. Paging by key rather than offset means an unchanged item
   * is never skipped when others change between pages; changed ones come with the next sync.
   */
  after: [number, string];
  /** `GoogleState.seq` when the first page was served: the next sync token continues from it. */
  snapshot: number;
  /** The sync token's `seq` when paging an incremental result. */
  since: number | null;
  /** Fingerprint of the query, so a page token cannot be reused with other parameters. */
  query: string;
}

function sign(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url').slice(0, 16);
}

function encode(secret: string, prefix: string, payload: unknown): string {
  const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${prefix}${data}.${sign(secret, data)}`;
}

function decode<T>(secret: string, prefix: string, token: string): T | null {
  if (!token.startsWith(prefix)) return null;
  const [data, mac] = token.slice(prefix.length).split('.');
  if (!data || !mac) return null;
  const expected = sign(secret, data);
  if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return null;
  try {
    return JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

export const encodeSyncToken = (secret: string, p: SyncTokenPayload) => encode(secret, 'CP', p);
export const decodeSyncToken = (secret: string, token: string) => decode<SyncTokenPayload>(secret, 'CP', token);
export const encodePageToken = (secret: string, p: PageTokenPayload) => encode(secret, 'EA', p);
export const decodePageToken = (secret: string, token: string) => decode<PageTokenPayload>(secret, 'EA', token);
