import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from './encryption-keys.js';

/** A sealed value could not be opened: unknown key id, tampered bytes, or sealed for another row. */
export class TokenVaultError extends Error {
  override readonly name = 'TokenVaultError';
  readonly code = 'TOKEN_VAULT_UNREADABLE';
}

export const isTokenVaultError = (e: unknown): e is TokenVaultError => e instanceof TokenVaultError;

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

/**
 * What a sealed value is bound to, fed to AES-GCM as additional authenticated data: a value sealed
 * for one row does not open for another, so encrypted blobs cannot be swapped between rows.
 */
export const vaultContext = {
  connectionTokens: (connectionId: string) => `connection:${connectionId}:tokens`,
  oauthVerifier: (oauthStateId: string) => `oauth-state:${oauthStateId}:code-verifier`,
} as const;

/**
 * AES-256-GCM with a fresh 12-byte IV per seal. Envelope: `v1.<kid>.<iv>.<tag>.<ciphertext>`
 * (base64url parts). The key id selects the key on open, so keys rotate without re-encrypting at
 * once: the first key seals, every configured key opens. The version and key id are part of the
 * authenticated data, so the header cannot be edited either.
 */
export class TokenVault {
  private readonly keys: Map<string, Buffer>;
  private readonly active: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    const first = keys[0];
    if (!first) throw new TypeError('the token vault needs at least one key');
    this.active = first;
    this.keys = new Map(keys.map((k) => [k.kid, k.key]));
  }

  /** Id of the key new envelopes are sealed with. */
  get activeKid(): string {
    return this.active.kid;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(this.active.kid, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.active.kid, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** Opens an envelope sealed for `context`; throws `TokenVaultError` (without echoing the value). */
  open(envelope: string, context: string): string {
    const m = ENVELOPE.exec(envelope);
    if (!m) throw new TokenVaultError('the stored value is not a token vault envelope');
    const [, kid, ivPart, tagPart, dataPart] = m as unknown as [string, string, string, string, string];
    const key = this.keys.get(kid);
    if (!key) throw new TokenVaultError(`the stored value was sealed with key "${kid}", which is not configured (HUB_ENCRYPTION_KEYS)`);
    const iv = Buffer.from(ivPart, 'base64url');
    const tag = Buffer.from(tagPart, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new TokenVaultError('the stored value is a malformed envelope');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(kid, context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(dataPart, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenVaultError('the stored value failed authentication (tampered, or sealed for another record)');
    }
  }

  /** The id of the key an envelope was sealed with, or null when `value` is not an envelope. */
  static keyIdOf(value: string): string | null {
    return ENVELOPE.exec(value)?.[1] ?? null;
  }

  /** Whether `value` has the shape of an envelope (not whether it opens). */
  static isEnvelope(value: string): boolean {
    return ENVELOPE.test(value);
  }
}

function aad(kid: string, context: string): Buffer {
  return Buffer.from(`${VERSION}.${kid}|${context}`, 'utf8');
}
