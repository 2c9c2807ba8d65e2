import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import Database from 'libsql';
import { afterAll, describe, expect, it } from 'vitest';
import { JOBS_STORE_NAME } from '../../../src/jobs/job-scheduler.js';
import {
  ConnectionDocument,
  ConnectionsDocument,
  CreateApiKeyDocument,
  CreateTenantDocument,
  LinkCalendarDocument,
  RevokeAccessDocument,
  UpsertHostUserDocument,
} from '../../graphql/generated.js';
import { submitConsent } from '../../helpers/google-consent.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { readyUrl, startMain, type Started } from '../../helpers/main-process.js';

/**
 * Issue 15, finding 3: the hub process is killed (SIGKILL) while `revokeAccess` waits for a slow
 * provider revoke. The next start must leave the link either fully revoked or fully running — not
 * ACTIVE with its tokens and no jobs.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-revoke-crash-'));
const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SANDBOX_PROVIDERS: 'on', SHUTDOWN_GRACE_MS: '1000', JOBS_POLL_INTERVAL_MS: '200' };
const children: Started[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  rmSync(dataDir, { recursive: true, force: true });
});

async function gql<TData, TVars>(url: string, key: string, document: TypedDocumentNode<TData, TVars>, variables: TVars): Promise<TData> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TData; errors?: unknown };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function control<T>(origin: string, route: string, init?: { method: string; body: unknown }): Promise<T> {
  const response = await fetch(`${origin}/_control/${route}`, init ? { method: init.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) } : {});
  return (await response.json()) as T;
}

/** What the store holds of the link: its status, whether tokens are kept, and its queued jobs. */
function stored(connectionId: string): { status: string; hasTokens: boolean; jobs: string[] } {
  const db = new Database(path.join(dataDir, 'hub.db'), { readonly: true });
  try {
    const link = db.prepare('select status, tokens from connections where id = ?').get(connectionId) as { status: string; tokens: string | null };
    const jobs = db.prepare(`select name from ${JOBS_STORE_NAME} where json_extract(data, '$.connectionId') = ? order by name`).all(connectionId) as { name: string }[];
    return { status: link.status, hasTokens: link.tokens !== null, jobs: jobs.map((j) => j.name) };
  } finally {
    db.close();
  }
}

describe('a hub killed during revokeAccess', () => {
  it('finishes the revocation at the next start: REVOKED, tokens wiped, grant revoked at the provider, no jobs left', { timeout: 180_000 }, async () => {
    const first = startMain(env);
    children.push(first);
    const url = await readyUrl(first);
    const admin = readFileSync(path.join(dataDir, 'admin-api-key.txt'), 'utf8').trim();
    const tenantId = (await gql(url, admin, CreateTenantDocument, { input: { name: 'Crash' } })).createTenant.id;
    const key = (await gql(url, admin, CreateApiKeyDocument, { input: { tenantId, name: 'crash' } })).createApiKey.key;
    const userId = (await gql(url, key, UpsertHostUserDocument, { input: { hostUserId: 'c', email: 'alice@example.com' } })).upsertHostUser.hostUser.id;

    const { authorizationUrl } = (await gql(url, key, LinkCalendarDocument, { input: { userId, provider: 'GOOGLE' } })).linkCalendar;
    const google = new URL(authorizationUrl).origin;
    const accounts = await control<{ value: { id: string; email: string }[] }>(google, 'accounts');
    const account = accounts.value.find((a) => a.email === 'alice@example.com')!;
    const callback = await submitConsent(authorizationUrl, { account: account.id, decision: 'accept' });
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(200);
    const connectionId = (await gql(url, key, ConnectionsDocument, {})).connections.edges[0]!.node.id;
    await waitFor('the link to have its jobs', () => stored(connectionId).jobs.includes('connection.refresh'), 15_000);

    // Google's revoke endpoint hangs; the hub is killed while it waits there.
    await control(google, 'faults', { method: 'POST', body: { provider: 'google', route: 'google.oauth.revoke', action: { kind: 'hang' }, trigger: { mode: 'always' } } });
    void gql(url, key, RevokeAccessDocument, { connectionId }).catch(() => undefined);
    await waitFor(
      'the revoke to reach Google',
      async () => (await control<{ value: { matched: number }[] }>(google, 'faults')).value.some((r) => r.matched > 0),
      15_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startMain(env);
    children.push(second);
    const url2 = await readyUrl(second);
    expect((await gql(url2, key, ConnectionDocument, { id: connectionId })).connection.status).toBe('REVOKED');
    await waitFor('the interrupted revocation to finish', () => !stored(connectionId).hasTokens, 15_000);
    expect(stored(connectionId)).toEqual({ status: 'REVOKED', hasTokens: false, jobs: [] });
    const grants = await control<{ value: { accountId: string }[] }>(google, 'grants');
    expect(grants.value.filter((g) => g.accountId === account.id)).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
