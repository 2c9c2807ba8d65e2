import type { ConfidentialClientApplication } from '@azure/msal-node';
import type { Logger } from '../../logger.js';
import { isProviderError, ProviderError } from '../calendar-provider.js';
import {
  LinkRefusedError,
  type AuthorizationUrlRequest,
  type CodeRedemption,
  type CodeRedemptionRequest,
  type ProviderAuth,
} from '../provider-auth.js';
import type { AccessTokenSource, GraphTransport } from './graph-transport.js';
import { codeRedemptionError, describeMicrosoftCallbackError, tokenAcquisitionError } from './microsoft-graph.errors.js';
import type { GraphUser } from './microsoft-graph.types.js';

/** Scopes asked at consent (least privilege); MSAL adds `openid profile` itself. */
export const MICROSOFT_CONSENT_SCOPES = ['offline_access', 'User.Read', 'Calendars.ReadWrite'] as const;
/** Scopes of the Graph access token the adapter works with. */
export const MICROSOFT_GRAPH_SCOPES = ['Calendars.ReadWrite'];

interface IdTokenClaims {
  oid?: string;
  tid?: string;
  sub?: string;
  preferred_username?: string;
  email?: string;
  name?: string;
}

export interface MicrosoftAuthDeps {
  /** A fresh confidential client (in-memory cache only) per use. */
  newMsalClient(): ConfidentialClientApplication;
  /** A Graph pipeline for a just-linked account, with the access token from the code redemption. */
  transportFor(accountId: string, tokens: AccessTokenSource): GraphTransport;
  logger: Logger;
  /** Sends the browser to this origin instead of the authority's (MicrosoftGraphSettings.consentOrigin). */
  consentOrigin?: string;
}

/**
 * The OAuth side of Microsoft (docs/providers.md#microsoft-consent-and-callback-errors): consent URL with PKCE S256, code
 * redemption through MSAL, the account's identity, and the refusals a user must read. There is no
 * `revoke`: Microsoft offers no endpoint for a confidential client to revoke one user's grant (only
 * the user or an admin can, in the account or Entra portal), so the hub forgets the token cache.
 */
export class MicrosoftAuth implements ProviderAuth {
  readonly slug = 'microsoft-graph' as const;
  readonly scopes = MICROSOFT_CONSENT_SCOPES;

  constructor(private readonly deps: MicrosoftAuthDeps) {}

  async authorizationUrl(request: AuthorizationUrlRequest): Promise<string> {
    let url: string;
    try {
      url = await this.deps.newMsalClient().getAuthCodeUrl({
        scopes: [...MICROSOFT_CONSENT_SCOPES],
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: 'S256',
        state: request.state,
        // With a known account (relink, the user's email) the hint pre-selects it; otherwise the user
        // picks an account. Not both: MSAL drops login_hint under prompt=select_account because the
        // identity platform refuses an account hint together with select_account.
        ...(request.loginHint ? { loginHint: request.loginHint } : { prompt: 'select_account' }),
      });
    } catch (e) {
      throw tokenAcquisitionError(e);
    }
    if (!this.deps.consentOrigin) return url;
    const browserUrl = new URL(url);
    const origin = new URL(this.deps.consentOrigin);
    browserUrl.protocol = origin.protocol;
    browserUrl.host = origin.host;
    return browserUrl.toString();
  }

  /**
   * Redeems the code with the PKCE verifier, then checks what was granted and that the account has
   * a mailbox (`GET /me`, `GET /me/calendar`). The token blob is MSAL's whole serialised cache:
   * the refresh token lives only there (docs/providers.md#msal-token-cache).
   */
  async redeemCode(request: CodeRedemptionRequest): Promise<CodeRedemption> {
    const msal = this.deps.newMsalClient();
    let result;
    try {
      result = await msal.acquireTokenByCode({
        code: request.code,
        codeVerifier: request.codeVerifier,
        redirectUri: request.redirectUri,
        scopes: ['User.Read', ...MICROSOFT_GRAPH_SCOPES],
      });
    } catch (e) {
      throw codeRedemptionError(e);
    }
    if (!result?.account || !result.accessToken) throw new ProviderError('UNKNOWN', 'Microsoft redeemed the code but returned no account or access token.');

    const granted = result.scopes;
    const hasCalendarWrite = granted.some((s) => /(^|\/)calendars\.readwrite$/i.test(s));
    if (!hasCalendarWrite) {
      throw new LinkRefusedError(
        'Calendar access was not granted, so the hub cannot sync this calendar.',
        'SCOPES_MISSING',
        "Link again and allow 'Read and write your calendars' (Calendars.ReadWrite), or ask your administrator to approve it.",
      );
    }

    const claims = (result.idTokenClaims ?? {}) as IdTokenClaims;
    const accountId = claims.oid ?? result.account.localAccountId;
    const token = result.accessToken;
    const transport = this.deps.transportFor(accountId, { accessToken: async () => token });
    const me = (await transport.send<GraphUser>({ method: 'GET', path: '/me?$select=id,displayName,mail,userPrincipalName', action: 'reading the linked account', idempotent: true })).body;
    try {
      await transport.send({ method: 'GET', path: '/me/calendar?$select=id', action: 'checking the mailbox of the linked account', idempotent: true });
    } catch (e) {
      if (isProviderError(e) && e.details.providerCode === 'MailboxNotEnabledForRESTAPI') {
        throw new LinkRefusedError(
          'This Microsoft account has no Exchange Online mailbox, so it has no calendar the hub can sync.',
          'ACCOUNT_UNSUPPORTED',
          'Sign in with an account that has an Outlook / Exchange Online mailbox (a Microsoft 365 licence that includes Exchange), or ask your administrator to assign one.',
        );
      }
      throw e;
    }

    return {
      account: {
        accountId: me?.id ?? accountId,
        email: me?.mail ?? me?.userPrincipalName ?? claims.preferred_username ?? claims.email ?? result.account.username ?? null,
        displayName: me?.displayName ?? claims.name ?? result.account.name ?? null,
        directoryId: claims.tid ?? result.account.tenantId ?? null,
        homeAccountId: result.account.homeAccountId,
      },
      grantedScopes: granted,
      tokenBlob: msal.getTokenCache().serialize(),
    };
  }

  describeCallbackError(params: { error: string; errorDescription: string | null }): LinkRefusedError {
    return describeMicrosoftCallbackError(params);
  }
}
