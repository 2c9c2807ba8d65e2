import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { parseId, type HubId, type IdKind } from '../../src/domain/ids.js';
import { createHub, type Hub, type HubOverrides } from '../../src/hub.js';
import { createLogger } from '../../src/logger.js';

/** An id the API returned, as the hub's branded id for store lookups; throws when it is not one. */
export function idOf<K extends IdKind>(kind: K, value: string): HubId<K> {
  const id = parseId(kind, value);
  if (id === null) throw new Error(`expected a ${kind} id, got "${value}"`);
  return id;
}

/** What an HTTP GraphQL call returned, typed by the document. */
export interface GqlResult<TData> {
  status: number;
  headers: Headers;
  data: TData | null | undefined;
  errors: GraphQLFormattedError[] | undefined;
}

export interface TestHub {
  hub: Hub;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  graphqlUrl: string;
  wsUrl: string;
  /** The ADMIN key of the embedded bootstrap (SQLite) or `undefined` (MongoDB). */
  adminKey: string | undefined;
  /** Sends a typed document over HTTP with `Authorization: Bearer <key>` (no header when `key` is null). */
  gql<TData, TVars extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVars>,
    variables: TVars,
    key: string | null | undefined,
  ): Promise<GqlResult<TData>>;
  /** Raw query text, for documents that are not in test/graphql on purpose (limits, malformed input). */
  rawGql(query: string, variables: Record<string, unknown>, key: string | null | undefined): Promise<GqlResult<Record<string, unknown>>>;
  /** A real graphql-ws client authenticated with `key`, closed with the hub. */
  wsClient(key: string | null, onClosed?: (event: { code: number; reason: string }) => void): Client;
  close(): Promise<void>;
}

/**
 * The env record tests start hubs with: in-memory SQLite, a free port on loopback, no logs, and no
 * provider sandbox (starting the emulators costs every hub most of a second; tests of linking pass
 * `SANDBOX_PROVIDERS: 'on'`).
 */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL: 'sqlite::memory:',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '5000',
    JOBS_POLL_INTERVAL_MS: '200',
    SANDBOX_PROVIDERS: 'off',
    ...overrides,
  };
  // On MongoDB the token keys are required (instances share them): test hubs share this one.
  if (env.DATABASE_URL?.startsWith('mongodb') && env.HUB_ENCRYPTION_KEYS === undefined) env.HUB_ENCRYPTION_KEYS = TEST_ENCRYPTION_KEYS;
  return env;
}

/** A fixed, obviously-test token key (`kid:base64 of 32 bytes`) for hubs that must share keys. */
export const TEST_ENCRYPTION_KEYS = `test:${Buffer.alloc(32, 7).toString('base64')}`;

/** Starts a full hub (HTTP + WebSocket + jobs) on 127.0.0.1 with a temporary data folder. */
export async function startTestHub(env: Record<string, string> = {}, overrides: HubOverrides = {}): Promise<TestHub> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-test-'));
  const config = loadConfig(testEnv({ DATA_DIR: dataDir, ...env }));
  const hub = await createHub(config, { logger: createLogger({ level: config.logLevel }), ...overrides });
  const { port } = await hub.listen();
  const origin = `http://127.0.0.1:${port}`;
  const client = graphqlClient(origin);

  return {
    hub,
    origin,
    graphqlUrl: `${origin}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    adminKey: hub.bootstrap?.adminKey,
    gql: client.gql,
    rawGql: client.rawGql,
    wsClient: client.wsClient,
    async close() {
      await client.dispose();
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** GraphQL over HTTP and graphql-ws against a hub at `origin` (in this process or another). */
export interface GraphqlClient extends Pick<TestHub, 'gql' | 'rawGql' | 'wsClient'> {
  /** Closes the WebSocket clients it opened. */
  dispose(): Promise<void>;
}

export function graphqlClient(origin: string): GraphqlClient {
  const clients: Client[] = [];
  const post = async (query: string, variables: Record<string, unknown>, key: string | null | undefined) => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: GraphQLFormattedError[] };
    return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
  };
  return {
    async gql(document, variables, key) {
      return (await post(print(document), variables, key)) as GqlResult<never>;
    },
    async rawGql(query, variables, key) {
      return (await post(query, variables, key)) as GqlResult<Record<string, unknown>>;
    },
    wsClient(key, onClosed) {
      const client = createClient({
        url: `${origin.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: key === null ? {} : { authorization: `Bearer ${key}` },
        retryAttempts: 0,
        lazy: false,
        ...(onClosed ? { on: { closed: (event) => onClosed(event as { code: number; reason: string }) } } : {}),
        onNonLazyError: () => undefined,
      });
      clients.push(client);
      return client;
    },
    async dispose() {
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}

/** Expects exactly one error and returns it (so tests can assert its code, field and message). */
export function onlyError(result: { errors?: readonly GraphQLFormattedError[] | undefined }): GraphQLFormattedError {
  if (!result.errors || result.errors.length !== 1) {
    throw new Error(`expected exactly one error, got ${JSON.stringify(result.errors)}`);
  }
  return result.errors[0]!;
}

/** Waits until `predicate` holds, polling; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
