import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { KEY_FILE_NAME } from '../../../src/security/encryption-keys.js';
import { TokenVault } from '../../../src/security/token-vault.js';
import { ConnectionsDocument, LinkCalendarDocument, RefreshCalendarsDocument, RevokeAccessDocument } from '../../graphql/generated.js';
import { consent, createTenantWithUser, openCallback, sandboxKit, startLinkingHub, type LinkingHub, type TenantUser } from './linking-harness.js';

/**
 * No token or secret in clear text: not in the database file (read raw, bytes and columns), not in
 * the logs of a whole link + refresh + revoke run at debug level, not in GraphQL answers.
 */
let t: LinkingHub;
let dataDir: string;
const logLines: string[] = [];
const answers: string[] = [];
const states: string[] = [];
const seen = new Set<string>();
let tenant: TenantUser;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  // An SQLite file (not :memory:) and no HUB_ENCRYPTION_KEYS: the embedded default, key file included.
  t = await startLinkingHub({ DATABASE_URL: '', LOG_LEVEL: 'debug' }, { logger: createLogger({ level: 'debug' }, sink) });
  dataDir = t.hub.config.dataDir;
  // Short-lived access tokens make every provider call refresh (and Microsoft rotate its refresh token).
  t.sandbox.microsoft.control.updateSettings({ accessTokenLifetimeSeconds: 60 });
  t.sandbox.google.control.updateSettings({ accessTokenLifetimeSeconds: 60 });

  const googleEmail = sandboxKit(t, 'GOOGLE').newAccount('secrets');
  const microsoftEmail = sandboxKit(t, 'MICROSOFT').newAccount('secrets');
  tenant = await createTenantWithUser(t, 'Secrets', { hostUserId: 'secrets', email: googleEmail });
  for (const [provider, account] of [['GOOGLE', googleEmail], ['MICROSOFT', microsoftEmail]] as const) {
    const started = await t.gql(LinkCalendarDocument, { input: { userId: tenant.userId, provider } }, tenant.key);
    answers.push(JSON.stringify(started));
    states.push(new URL(started.data!.linkCalendar.authorizationUrl).searchParams.get('state')!);
    const callback = await consent(t, provider, started.data!.linkCalendar.authorizationUrl, { account });
    const page = await openCallback(callback);
    answers.push(page.html);
    expect(page.status).toBe(200);
  }
  const links = await t.gql(ConnectionsDocument, {}, tenant.key);
  answers.push(JSON.stringify(links));
  for (const edge of links.data!.connections.edges) {
    answers.push(JSON.stringify(await t.gql(RefreshCalendarsDocument, { connectionId: edge.node.id }, tenant.key)));
    answers.push(JSON.stringify(await t.gql(RefreshCalendarsDocument, { connectionId: edge.node.id }, tenant.key)));
  }
  // Revoking at Google drops the grant's tokens from the emulator: remember what was issued before.
  for (const secret of issuedSecrets()) seen.add(secret);
  answers.push(JSON.stringify(await t.gql(RevokeAccessDocument, { connectionId: links.data!.connections.edges[0]!.node.id, cleanup: true }, tenant.key)));
});
afterAll(async () => {
  await t?.close();
});

/** Every token, code and client secret the sandbox handed out during the run. */
function issuedSecrets(): string[] {
  const ms = t.sandbox.microsoft.exportState() as { refreshTokens: object; accessTokens: object; codes: object };
  const google = t.sandbox.google.exportState() as { refreshTokens: Record<string, { token: string }>; accessTokens: Record<string, { token: string }>; codes: Record<string, { code: string }> };
  const secrets = [
    ...Object.keys(ms.refreshTokens),
    ...Object.keys(ms.accessTokens),
    ...Object.keys(ms.codes),
    ...Object.values(google.refreshTokens).map((r) => r.token),
    ...Object.values(google.accessTokens).map((r) => r.token),
    ...Object.values(google.codes).map((r) => r.code),
    t.sandbox.settings['microsoft-graph']!.clientSecret,
    t.sandbox.settings['google-calendar']!.clientSecret,
    ...states,
  ];
  for (const secret of secrets) if (secret.length >= 16) seen.add(secret);
  return [...seen];
}

describe('secrets at rest and in logs', () => {
  it('saw the provider rotate tokens during the run (the check below has something to find)', () => {
    const ms = t.sandbox.microsoft.exportState() as { refreshTokens: Record<string, { rotatedAt: number | null }> };
    expect(Object.values(ms.refreshTokens).some((r) => r.rotatedAt !== null)).toBe(true);
    expect(issuedSecrets().length).toBeGreaterThan(8);
  });

  it('keeps no token, code, state or client secret in the database file', async () => {
    // Commit everything into the files as they are (WAL included).
    const files = readdirSync(dataDir).filter((f) => f.startsWith('hub.db'));
    expect(files).toContain('hub.db');
    const raw = files.map((f) => readFileSync(path.join(dataDir, f)).toString('latin1')).join('\n');
    const leaked = issuedSecrets().filter((secret) => raw.includes(secret));
    expect(leaked).toEqual([]);
  });

  it('stores tokens and PKCE verifiers only as vault envelopes', async () => {
    const connection = t.hub.orm.em.getConnection();
    const tokens = (await connection.execute('select tokens, status from connections')) as { tokens: string | null; status: string }[];
    expect(tokens.filter((r) => r.status !== 'REVOKED').every((r) => r.tokens !== null && TokenVault.isEnvelope(r.tokens))).toBe(true);
    expect(tokens.filter((r) => r.status === 'REVOKED').every((r) => r.tokens === null)).toBe(true);
    const verifiers = (await connection.execute('select code_verifier from oauth_states')) as { code_verifier: string }[];
    expect(verifiers.length).toBeGreaterThan(0);
    expect(verifiers.every((r) => TokenVault.isEnvelope(r.code_verifier))).toBe(true);
  });

  it('generated the encryption key once into the data folder, readable by the owner only', () => {
    const mode = statSync(path.join(dataDir, KEY_FILE_NAME)).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('logs no token, code, state or secret, even at debug level', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const log = logLines.join('');
    expect(log).toContain('calendar linked');
    expect(issuedSecrets().filter((secret) => log.includes(secret))).toEqual([]);
  });

  it('returns no token or secret in GraphQL answers or callback pages', () => {
    const all = answers.join('\n');
    expect(all).toContain('ACTIVE');
    expect(issuedSecrets().filter((secret) => !states.includes(secret) && all.includes(secret))).toEqual([]);
  });
});
