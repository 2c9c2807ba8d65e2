import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { HostUsersDocument, ViewerDocument } from '../graphql/generated.js';
import { startTestHub } from '../helpers/hub-harness.js';

let dataDir: string;
let env: Record<string, string>;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, env);
  return { code, out, err };
}

async function cliJson<T>(...argv: string[]): Promise<T> {
  const r = await cli(...argv, '--json');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hub-cli-'));
  env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run hub -- <command>', () => {
  it('creates and lists tenants, keys and host users, as a table or as JSON', async () => {
    const created = await cli('create-tenant', '--name', 'Acme');
    expect(created.code).toBe(0);
    const tenantId = /ten_[0-9A-Z]{26}/.exec(created.out)![0];

    const table = await cli('list-tenants');
    expect(table.out.split('\n')[0]).toMatch(/^id\s+name\s+createdAt$/);
    expect(table.out).toContain(`${tenantId}  Acme`);

    const key = await cliJson<{ key: string; apiKey: { role: string; tenantId: string; prefix: string } }>('create-api-key', '--name', 'crm', '--tenant', tenantId);
    expect(key.apiKey).toMatchObject({ role: 'TENANT', tenantId });
    expect(key.key.startsWith(key.apiKey.prefix)).toBe(true);
    const keys = await cliJson<{ apiKeys: { prefix: string }[] }>('list-api-keys', '--tenant', tenantId);
    expect(keys.apiKeys.map((k) => k.prefix)).toEqual([key.apiKey.prefix]);
    expect(JSON.stringify(keys)).not.toContain(key.key);

    const first = await cliJson<{ created: boolean; hostUser: { id: string } }>(
      'upsert-host-user', '--tenant', tenantId, '--host-user-id', 'u1', '--email', 'U1@Example.com', '--time-zone', 'Europe/Berlin',
    );
    const again = await cliJson<{ created: boolean; hostUser: { id: string; active: boolean } }>(
      'upsert-host-user', '--tenant', tenantId, '--host-user-id', 'u1', '--active', 'false',
    );
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, hostUser: { id: first.hostUser.id, active: false } });

    const users = await cli('list-host-users', '--tenant', tenantId);
    expect(users.out).toMatch(/^id\s+hostUserId\s+email\s+name\s+active\s+timeZone\n/);
    expect(users.out).toContain('u1@example.com');

    const settings = await cliJson<{ settings: { conflictPolicy: string } }>('show-settings', '--tenant', tenantId);
    expect(settings.settings.conflictPolicy).toBe('LATEST_WINS');
  });

  it('makes keys that a hub started on the same database accepts', async () => {
    const admin = await cliJson<{ key: string }>('create-api-key', '--name', 'ops', '--role', 'ADMIN');
    const tenantId = (await cliJson<{ id: string }>('create-tenant', '--name', 'Shared')).id;
    await cliJson('upsert-host-user', '--tenant', tenantId, '--host-user-id', 'from-cli');

    const t = await startTestHub({ DATABASE_URL: `sqlite:${path.join(dataDir, 'hub.db')}`, DATA_DIR: dataDir });
    try {
      expect(t.hub.bootstrap).toBeNull();
      expect((await t.gql(ViewerDocument, {}, admin.key)).data?.viewer.role).toBe('ADMIN');
      const users = await t.gql(HostUsersDocument, { tenantId }, admin.key);
      expect(users.data?.hostUsers.edges.map((e) => e.node.hostUserId)).toEqual(['from-cli']);
    } finally {
      await t.close();
    }
  });

  it('exits 1 with the field and reason on bad input, and writes nothing', async () => {
    const tenantId = (await cliJson<{ id: string }>('create-tenant', '--name', 'Strict')).id;
    const bad = await cli('upsert-host-user', '--tenant', tenantId, '--host-user-id', 'u1', '--email', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error BAD_USER_INPUT: email: must be a valid email address\n');
    const none = await cliJson<{ totalCount: number }>('list-host-users', '--tenant', tenantId);
    expect(none.totalCount).toBe(0);

    const unknownTenant = await cli('show-settings', '--tenant', 'ten_00000000000000000000000000');
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.err).toContain('NOT_FOUND');
  });

  it('prints the tip when refusing to revoke the last ADMIN key', async () => {
    const admin = await cliJson<{ apiKey: { id: string } }>('create-api-key', '--name', 'only', '--role', 'ADMIN');
    const r = await cli('revoke-api-key', '--id', admin.apiKey.id);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error CONFLICT: .*\ntip: Create another ADMIN key first/);
  });

  it('exits 2 with the usage for an unknown command or option, or a missing required option', async () => {
    for (const argv of [['frobnicate'], ['list-tenants', '--colour'], ['create-tenant']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain('Usage: npm run hub -- <command>');
    }
  });

  it('exits 1 naming the variable when the configuration is invalid', async () => {
    env = { ...env, DATABASE_URL: 'postgres://nope' };
    const r = await cli('list-tenants');
    expect(r.code).toBe(1);
    expect(r.err).toContain('DATABASE_URL: expected sqlite:<file path>');
  });
});
