/**
 * The token blob of a Google link: the OAuth2Client credentials as JSON (docs/providers.md#google-tokens-and-revocation). The vault
 * encrypts it; nothing else reads it. No id token is kept: the identity is read once at linking.
 */
export interface GoogleTokenSet {
  access_token: string | null;
  refresh_token: string | null;
  /** Epoch ms (google-auth-library's `expiry_date`). */
  expiry_date: number | null;
  scope: string | null;
  token_type: string | null;
}

export class GoogleTokenBlobError extends Error {
  override readonly name = 'GoogleTokenBlobError';
  readonly code = 'GOOGLE_TOKEN_BLOB_INVALID';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Keeps only the fields the hub stores, from library credentials or a token response. */
export function toTokenSet(credentials: Record<string, unknown>): GoogleTokenSet {
  return {
    access_token: str(credentials.access_token),
    refresh_token: str(credentials.refresh_token),
    expiry_date: typeof credentials.expiry_date === 'number' ? credentials.expiry_date : null,
    scope: str(credentials.scope),
    token_type: str(credentials.token_type),
  };
}

/**
 * A refresh answer merged into the stored set: Google does not rotate refresh tokens and leaves
 * `refresh_token` out of refresh responses, so the stored one is kept.
 */
export function mergeTokenSet(current: GoogleTokenSet | null, refreshed: Record<string, unknown>): GoogleTokenSet {
  const next = toTokenSet(refreshed);
  return {
    access_token: next.access_token ?? current?.access_token ?? null,
    refresh_token: next.refresh_token ?? current?.refresh_token ?? null,
    expiry_date: next.expiry_date ?? (next.access_token ? null : (current?.expiry_date ?? null)),
    scope: next.scope ?? current?.scope ?? null,
    token_type: next.token_type ?? current?.token_type ?? null,
  };
}

export function serializeTokenSet(set: GoogleTokenSet): string {
  return JSON.stringify(set);
}

/** Parses a stored blob; the error message never echoes the blob. */
export function parseTokenSet(blob: string): GoogleTokenSet {
  let raw: unknown;
  try {
    raw = JSON.parse(blob);
  } catch {
    throw new GoogleTokenBlobError('the stored Google token set is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new GoogleTokenBlobError('the stored Google token set is not an object');
  return toTokenSet(raw as Record<string, unknown>);
}

/** The library's `Credentials` shape (undefined instead of null). */
export function toCredentials(set: GoogleTokenSet): { access_token?: string; refresh_token?: string; expiry_date?: number; scope?: string; token_type?: string } {
  return {
    ...(set.access_token ? { access_token: set.access_token } : {}),
    ...(set.refresh_token ? { refresh_token: set.refresh_token } : {}),
    ...(set.expiry_date !== null ? { expiry_date: set.expiry_date } : {}),
    ...(set.scope ? { scope: set.scope } : {}),
    ...(set.token_type ? { token_type: set.token_type } : {}),
  };
}
