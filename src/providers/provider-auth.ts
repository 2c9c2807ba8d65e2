import type { ProviderSlug } from '../domain/model.js';
import { providerDisplayName } from '../domain/sync-issue.js';

/**
 * The OAuth side of a provider: building the consent URL, redeeming the code, revoking. Like the
 * calendar port it speaks domain types only; the SDKs (MSAL, google-auth-library) stay inside
 * `providers/<slug>/`.
 *
 * Tokens leave an adapter only as an opaque `tokenBlob` string (MSAL's serialised token cache,
 * Google's token set as JSON) that the token vault encrypts before it is stored. Nothing here logs
 * or returns a token in clear to callers other than the vault.
 */

export interface AuthorizationUrlRequest {
  /** Random, single-use value bound to tenant + user + provider (the hub stores only its hash). */
  state: string;
  /** PKCE S256 challenge of the verifier the hub keeps encrypted. */
  codeChallenge: string;
  /** Exactly `PUBLIC_URL/oauth/callback/<provider>`. */
  redirectUri: string;
  /** Pre-selects the account at the provider (the user's email, or the linked account on relink). */
  loginHint: string | null;
}

export interface CodeRedemptionRequest {
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

/** The provider account behind a grant. */
export interface LinkedAccount {
  /** Stable id: Microsoft `oid`, Google `sub`. */
  accountId: string;
  email: string | null;
  displayName: string | null;
  /** Microsoft directory (tenant) id; null for Google. */
  directoryId: string | null;
  /** Microsoft MSAL home account id (`<oid>.<tid>`); null for Google. */
  homeAccountId: string | null;
}

export interface CodeRedemption {
  account: LinkedAccount;
  /** Scopes the provider actually granted (users may untick some on Google's granular consent). */
  grantedScopes: string[];
  /** Opaque token state for the vault. */
  tokenBlob: string;
}

/**
 * Persistence of one connection's token state, backed by the vault. Adapters call `save` whenever
 * the provider rotated or refreshed a token (MSAL cache plugin, google-auth-library `tokens` event).
 */
export interface TokenStore {
  load(): Promise<string | null>;
  save(tokenBlob: string): Promise<void>;
}

/** A refusal the user must read (denied consent, unsupported account type, missing scopes). */
export class LinkRefusedError extends Error {
  override readonly name = 'LinkRefusedError';
  readonly code = 'LINK_REFUSED';
  constructor(
    message: string,
    readonly reason: 'ACCESS_DENIED' | 'ACCOUNT_UNSUPPORTED' | 'SCOPES_MISSING' | 'INVALID_REQUEST',
    readonly tip: string | null = null,
  ) {
    super(message);
  }
}

export const isLinkRefusedError = (e: unknown): e is LinkRefusedError => e instanceof LinkRefusedError;

/**
 * The user declined (or cancelled) on the provider's consent screen: the same words for every
 * provider. The provider's own error code goes to the log, not to the page.
 */
export function consentDeclined(slug: ProviderSlug): LinkRefusedError {
  return new LinkRefusedError(
    `${providerDisplayName(slug)} was not linked: access was declined on the sign-in and consent screen.`,
    'ACCESS_DENIED',
    'Start linking again and accept the calendar permissions.',
  );
}

export interface ProviderAuth {
  readonly slug: ProviderSlug;
  /** Scopes requested at consent (least privilege). */
  readonly scopes: readonly string[];
  authorizationUrl(request: AuthorizationUrlRequest): Promise<string>;
  /**
   * Redeems the code and reads the account identity. Throws `LinkRefusedError` for refusals a
   * user must read and `ProviderError` for transport/provider failures.
   */
  redeemCode(request: CodeRedemptionRequest): Promise<CodeRedemption>;
  /**
   * Translates the provider's error redirect (`error`, `error_description` on the callback) into
   * a readable refusal.
   */
  describeCallbackError(params: { error: string; errorDescription: string | null }): LinkRefusedError;
  /** Revokes the grant at the provider where it can (Google); absent where it cannot (Microsoft). */
  revoke?(tokenBlob: string): Promise<void>;
}
