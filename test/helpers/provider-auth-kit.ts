import { createHash, randomBytes } from 'node:crypto';
import type { TokenStore } from '../../src/providers/provider-auth.js';

/** An in-memory token store for adapter tests that remembers every blob saved into it. */
export class MemoryTokenStore implements TokenStore {
  readonly saves: string[] = [];
  constructor(public blob: string | null = null) {}
  async load(): Promise<string | null> {
    return this.blob;
  }
  async save(tokenBlob: string): Promise<void> {
    this.blob = tokenBlob;
    this.saves.push(tokenBlob);
  }
}

/** A PKCE S256 verifier and its challenge, as the hub makes them when linking starts. */
export function pkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(48).toString('base64url');
  return { codeVerifier, codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url') };
}
