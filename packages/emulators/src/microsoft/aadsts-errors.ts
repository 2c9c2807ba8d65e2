import { randomUUID } from 'node:crypto';

/**
 * Token-endpoint errors in the identity platform's shape (docs/providers.md#microsoft-token-errors;
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes):
 * `{error, error_description: "AADSTSnnnnn: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …",
 * error_codes, timestamp, trace_id, correlation_id, error_uri, suberror?}`.
 */
export class AadstsError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
    readonly suberror?: string,
  ) {
    super(`AADSTS${code}: ${description}`);
    this.name = 'AadstsError';
  }
}

export const isAadstsError = (e: unknown): e is AadstsError => e instanceof AadstsError;

function stamp(now: Date): string {
  return now.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export function aadstsBody(e: AadstsError, origin: string, now: Date, correlationId?: string): Record<string, unknown> {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  return {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${stamp(now)}`,
    error_codes: [e.code],
    timestamp: stamp(now),
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `${origin}/error?code=${e.code}`,
    ...(e.suberror ? { suberror: e.suberror } : {}),
  };
}

/** The one-line `error_description` used on authorize redirects. */
export function redirectDescription(e: AadstsError, now: Date): string {
  return `AADSTS${e.code}: ${e.description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${stamp(now)}`;
}

export const aad = {
  missingParameter: (name: string) => new AadstsError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  unknownClient: (clientId: string) =>
    new AadstsError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory 'Default Directory'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  badSecret: (clientId: string) =>
    new AadstsError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  missingSecret: () =>
    new AadstsError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  redirectMismatch: (uri: string, clientId: string) =>
    new AadstsError(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
    ),
  invalidGrant: (what = 'grant') => new AadstsError(400, 'invalid_grant', 70000, `The provided ${what} is invalid or malformed.`),
  codeRedeemed: () =>
    new AadstsError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  expired: () =>
    new AadstsError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  inactive: (issuedAt: Date) =>
    new AadstsError(
      400,
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${issuedAt.toISOString()} and was inactive for 90.00:00:00.`,
    ),
  revoked: (issuedAt: Date, validFrom: Date) =>
    new AadstsError(
      400,
      'invalid_grant',
      50173,
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${issuedAt.toISOString()}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${validFrom.toISOString()}'.`,
    ),
  pkceMismatch: () =>
    new AadstsError(400, 'invalid_grant', 50148, 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.'),
  interactionRequired: () =>
    new AadstsError(
      400,
      'invalid_grant',
      50076,
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
      'basic_action',
    ),
  consentRequired: (clientId: string) =>
    new AadstsError(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource.`,
      'consent_required',
    ),
  unsupportedGrantType: (type: string) =>
    new AadstsError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${type}'.`),
  invalidScope: (scope: string) =>
    new AadstsError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' isn't valid. The scope '${scope}' isn't valid.`),
  tenantNotFound: (tenant: string) =>
    new AadstsError(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    ),
  personalAccountNotSupported: (email: string) =>
    new AadstsError(
      400,
      'access_denied',
      500200,
      `User account '${email}' is a personal Microsoft account. Personal Microsoft accounts are not supported for this application unless explicitly invited to an organization. Try signing out and signing back in with an organizational account.`,
    ),
  accountNotInTenant: (email: string, idp: string, tenantName: string, clientId: string) =>
    new AadstsError(
      400,
      'access_denied',
      50020,
      `User account '${email}' from identity provider '${idp}' does not exist in tenant '${tenantName}' and cannot access the application '${clientId}' in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.`,
    ),
  userDeclined: () => new AadstsError(400, 'access_denied', 65004, 'User declined to consent to access the app.'),
  loginRequired: () => new AadstsError(400, 'login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'),
  consentRequiredInteractive: (clientId: string) =>
    new AadstsError(
      400,
      'consent_required',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource.`,
    ),
  unsupportedResponseType: () =>
    new AadstsError(400, 'unsupported_response_type', 700054, "response_type 'id_token' is not enabled for the application."),
  invalidCodeChallengeMethod: () =>
    new AadstsError(400, 'invalid_request', 50148, "The code_challenge_method must be 'S256' or 'plain'."),
};
