import { CodeChallengeMethod, OAuth2Client, type Credentials, type TokenPayload } from 'google-auth-library';
import type { Logger } from '../../logger.js';
import { ProviderError } from '../calendar-provider.js';
import {
  consentDeclined,
  LinkRefusedError,
  type AuthorizationUrlRequest,
  type CodeRedemption,
  type CodeRedemptionRequest,
  type ProviderAuth,
} from '../provider-auth.js';
import { describeFailure, safeMessage } from './google-calendar.errors.js';
import type { GoogleCalendarSettings } from './google-calendar.module.js';
import { parseTokenSet, serializeTokenSet, toTokenSet } from './google-token-set.js';

/**
 * Google's OAuth 2.0 web-server flow through google-auth-library (docs/providers.md#google-consent).
 * https://developers.google.com/identity/protocols/oauth2/web-server
 */

const AUTH = 'https://www.googleapis.com/auth/';

/** Least privilege (docs/providers.md#google-scopes): events read/write plus the calendar list; `calendar.events` alone cannot list calendars. */
export const GOOGLE_SCOPES = [`${AUTH}calendar.events`, `${AUTH}calendar.calendarlist.readonly`, 'openid', 'email'] as const;

/** Granted scopes that cover each need (a wider earlier grant counts through include_granted_scopes). */
const EVENTS_SCOPES = [`${AUTH}calendar.events`, `${AUTH}calendar`];
const CALENDAR_LIST_SCOPES = [`${AUTH}calendar.calendarlist.readonly`, `${AUTH}calendar.calendarlist`, `${AUTH}calendar`, `${AUTH}calendar.readonly`];

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * What gaxios sends with: Node's own fetch. Outside a browser gaxios falls back to node-fetch 3,
 * which, when a request with a body is aborted before its body was read (a timeout that expired
 * while the process was busy), destroys a stream nothing listens to: an unhandled 'error' event
 * that kills the process (node-fetch issue 1801). Both the Calendar calls and the token calls use it.
 */
export const GOOGLE_TRANSPORT = { fetchImplementation: globalThis.fetch } as const;

export function createGoogleOAuthClient(settings: GoogleCalendarSettings, redirectUri?: string): OAuth2Client {
  return new OAuth2Client({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    ...(redirectUri ? { redirectUri } : {}),
    endpoints: {
      oauth2AuthBaseUrl: settings.authUrl,
      oauth2TokenUrl: settings.tokenUrl,
      oauth2RevokeUrl: settings.revokeUrl,
      ...(settings.tokenInfoUrl ? { tokenInfoUrl: settings.tokenInfoUrl } : {}),
      ...(settings.pemCertsUrl ? { oauth2FederatedSignonPemCertsUrl: settings.pemCertsUrl } : {}),
      ...(settings.jwkCertsUrl ? { oauth2FederatedSignonJwkCertsUrl: settings.jwkCertsUrl } : {}),
    },
    transporterOptions: { ...GOOGLE_TRANSPORT, timeout: settings.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS },
  });
}

const RELINK_TIP = 'Start linking again from the calendar settings, sign in with the Google account to link and allow every permission listed.';

export class GoogleAuth implements ProviderAuth {
  readonly slug = 'google-calendar' as const;
  readonly scopes: readonly string[] = GOOGLE_SCOPES;

  constructor(private readonly deps: { settings: GoogleCalendarSettings; logger: Logger }) {}

  async authorizationUrl(request: AuthorizationUrlRequest): Promise<string> {
    const client = createGoogleOAuthClient(this.deps.settings, request.redirectUri);
    return client.generateAuthUrl({
      redirect_uri: request.redirectUri,
      // offline + consent: Google issues a refresh token on every consent, also on a relink (docs/providers.md#google-consent).
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: true,
      scope: [...GOOGLE_SCOPES],
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      ...(request.loginHint ? { login_hint: request.loginHint } : {}),
    });
  }

  async redeemCode(request: CodeRedemptionRequest): Promise<CodeRedemption> {
    const { settings } = this.deps;
    const client = createGoogleOAuthClient(settings, request.redirectUri);
    let tokens: Credentials;
    try {
      ({ tokens } = await client.getToken({ code: request.code, codeVerifier: request.codeVerifier, redirect_uri: request.redirectUri }));
    } catch (error) {
      throw this.redemptionFailure(error);
    }
    const granted = (tokens.scope ?? '').split(/\s+/).filter(Boolean);
    const missing = [
      ...(granted.some((s) => EVENTS_SCOPES.includes(s)) ? [] : ['view and edit events on your calendars']),
      ...(granted.some((s) => CALENDAR_LIST_SCOPES.includes(s)) ? [] : ['see the list of your calendars']),
    ];
    if (missing.length) {
      throw new LinkRefusedError(
        `Google Calendar was not linked because the permission to ${missing.join(' and to ')} was not granted.`,
        'SCOPES_MISSING',
        'Link again and leave every Google Calendar permission ticked on the consent screen; the hub needs them to sync your appointments.',
      );
    }
    if (!tokens.refresh_token) {
      throw new LinkRefusedError(
        'Google Calendar was not linked because Google granted no offline access, so the hub could not keep syncing while you are away.',
        'SCOPES_MISSING',
        'Remove the app under https://myaccount.google.com/permissions, then link again and allow all requested access. If your organisation manages your account, ask its administrator to allow offline access for this app.',
      );
    }
    const identity = await this.verifiedIdentity(client, tokens.id_token ?? null);
    return {
      account: { accountId: identity.sub, email: identity.email ?? null, displayName: identity.name ?? null, directoryId: null, homeAccountId: null },
      grantedScopes: granted,
      tokenBlob: serializeTokenSet(toTokenSet(tokens as Record<string, unknown>)),
    };
  }

  /** The account behind the grant, from the id token after checking its signature, audience, issuer and expiry. */
  private async verifiedIdentity(client: OAuth2Client, idToken: string | null): Promise<TokenPayload> {
    if (!idToken) throw new ProviderError('UNKNOWN', 'Google returned no id token, so the linked account cannot be identified.', { providerCode: 'no_id_token' });
    let payload: TokenPayload | undefined;
    try {
      payload = (await client.verifyIdToken({ idToken, audience: this.deps.settings.clientId })).getPayload();
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'config' in error) {
        // An HTTP failure while fetching Google's signing keys.
        const f = describeFailure(error, null);
        const code = f.status === null || f.status >= 500 ? 'TRANSIENT' : 'UNKNOWN';
        throw new ProviderError(code, `Google's signing keys could not be fetched to verify the account (${f.status ?? f.transportCode}).`, {
          ...(f.status !== null ? { status: f.status } : {}),
        });
      }
      // google-auth-library quotes the token in some messages: keep only a safe excerpt.
      const reason = error instanceof Error ? safeMessage(error.message.split(':')[0] ?? error.name) : 'unknown reason';
      throw new ProviderError('UNKNOWN', `The identity Google returned could not be verified (${reason}).`, { providerCode: 'id_token_invalid' });
    }
    if (!payload?.sub) throw new ProviderError('UNKNOWN', 'The id token Google returned names no account (no `sub`).', { providerCode: 'id_token_invalid' });
    return payload;
  }

  private redemptionFailure(error: unknown): Error {
    const f = describeFailure(error, this.deps.settings.tokenUrl);
    if (f.status === null) return new ProviderError('TRANSIENT', `Google's token endpoint did not answer (${f.transportCode ?? 'network error'}); try again.`, { providerCode: f.transportCode ?? undefined });
    const details = { status: f.status, ...(f.reason ? { providerCode: f.reason } : {}) };
    if (f.status >= 500 || f.status === 429) return new ProviderError('TRANSIENT', `Google's token endpoint failed (${f.status}); try again.`, details);
    switch (f.reason) {
      case 'invalid_grant':
        // A used or expired code, or a PKCE verifier that does not match the challenge.
        return new LinkRefusedError('Google did not accept the sign-in (invalid_grant): it expired, was already used, or does not belong to this linking attempt.', 'INVALID_REQUEST', RELINK_TIP);
      case 'redirect_uri_mismatch':
        return new LinkRefusedError('Google did not accept the sign-in because the return address does not match the one the sign-in started with.', 'INVALID_REQUEST', 'Ask your administrator to check PUBLIC_URL and the redirect URIs of the Google OAuth client.');
      case 'invalid_client':
      case 'unauthorized_client':
      case 'deleted_client':
        return new ProviderError('UNKNOWN', `Google refused the hub's OAuth client (${f.reason}); check GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET.`, details);
      default:
        // Users read this (the callback page, the redirect to returnTo): Google's error code only, never its free text.
        return new LinkRefusedError(`Google did not complete the sign-in (${f.reason && /^[a-z_]{1,40}$/.test(f.reason) ? f.reason : f.status}).`, 'INVALID_REQUEST', RELINK_TIP);
    }
  }

  /**
   * Google's error redirect (`?error=…`) as a refusal the user can read. Only the hub's own text:
   * `error` and `error_description` arrive in a URL anyone can craft, so neither is echoed.
   */
  describeCallbackError(params: { error: string; errorDescription: string | null }): LinkRefusedError {
    switch (params.error) {
      case 'access_denied':
        return consentDeclined('google-calendar');
      case 'admin_policy_enforced':
      case 'org_internal':
        return new LinkRefusedError(
          'This Google account cannot be linked: its organisation does not allow this app.',
          'ACCOUNT_UNSUPPORTED',
          'Ask your Google Workspace administrator to allow the app, or link another Google account.',
        );
      case 'interaction_required':
      case 'login_required':
      case 'consent_required':
      case 'account_selection_required':
        return new LinkRefusedError('Google needs you to sign in and confirm access before linking.', 'ACCESS_DENIED', RELINK_TIP);
      case 'temporarily_unavailable':
      case 'server_error':
        return new LinkRefusedError('Google could not complete the sign-in right now.', 'INVALID_REQUEST', 'Wait a few minutes, then start linking again.');
      default:
        return new LinkRefusedError(
          'Google refused the linking request.',
          'INVALID_REQUEST',
          'Start linking again; if it keeps failing, ask your administrator to check the Google OAuth client (redirect URI, scopes).',
        );
    }
  }

  /**
   * Revokes the grant (docs/providers.md#google-tokens-and-revocation): revoking the refresh token kills the grant and every token of it.
   * 400 `invalid_token` means it is already expired or revoked, which is the goal.
   */
  async revoke(tokenBlob: string): Promise<void> {
    let set: ReturnType<typeof parseTokenSet>;
    try {
      set = parseTokenSet(tokenBlob);
    } catch (error) {
      throw new ProviderError('UNKNOWN', `The Google grant cannot be revoked: ${error instanceof Error ? error.message : 'unreadable credentials'}.`, { providerCode: 'tokens_unreadable' });
    }
    const token = set.refresh_token ?? set.access_token;
    if (!token) return;
    const client = createGoogleOAuthClient(this.deps.settings);
    try {
      await client.revokeToken(token);
    } catch (error) {
      const f = describeFailure(error, null);
      if (f.status === 400 && f.reason === 'invalid_token') return;
      if (f.status === null || f.status >= 500 || f.status === 429) {
        throw new ProviderError('TRANSIENT', `Google's revoke endpoint failed (${f.status ?? f.transportCode}); try again.`, {
          ...(f.status !== null ? { status: f.status } : {}),
          ...(f.reason ? { providerCode: f.reason } : {}),
        });
      }
      throw new ProviderError('UNKNOWN', `Google refused to revoke the grant (${f.status}${f.reason ? ` ${f.reason}` : ''}).`, {
        status: f.status,
        ...(f.reason ? { providerCode: f.reason } : {}),
      });
    }
  }
}
