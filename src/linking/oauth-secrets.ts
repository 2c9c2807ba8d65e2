import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: the `state` a user carries to the provider and back. Only its hash is stored. */
export const newOAuthState = (): string => randomBytes(32).toString('base64url');

export const hashOAuthState = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

/** Identifies one callback request (a reload repeats it exactly; another use of the state does not). */
export const hashCallback = (params: { state?: string | undefined; code?: string | undefined; error?: string | undefined }): string =>
  createHash('sha256').update(JSON.stringify([params.state ?? null, params.code ?? null, params.error ?? null]), 'utf8').digest('hex');

/** A PKCE pair (RFC 7636, S256): a 43-character verifier and its SHA-256 challenge. */
export function newPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}
