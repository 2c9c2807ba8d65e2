import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isConfigError, loadConfig } from '../../../src/config.js';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (isConfigError(err)) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to the embedded SQLite file under ./data on port 4000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('data', 'hub.db'), url: `sqlite:${path.resolve('data', 'hub.db')}` });
    expect(config.publicUrl).toBe('http://127.0.0.1:4000');
    expect(config.graphql).toEqual({ introspection: true, maxDepth: 12, maxComplexity: 5000, maxAliases: 50, rateLimitPerMinute: 300_000, maxSubscriptionsPerSocket: 50 });
    expect(config.shutdownGraceMs).toBe(10_000);
  });

  // The default OAuth callback must reach the address the hub listens on: `localhost` may resolve to
  // ::1 first while the hub listens on 127.0.0.1 (RFC 8252 §8.3: loopback redirect URIs use the IP
  // literal; https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions).
  it('defaults PUBLIC_URL to the address the hub listens on, and keeps an explicit one', () => {
    const publicUrl = (env: Record<string, string>) => loadConfig(env).publicUrl;
    expect(publicUrl({ PORT: '4100' })).toBe('http://127.0.0.1:4100');
    expect(publicUrl({ HOST: '::1', PORT: '4100' })).toBe('http://[::1]:4100');
    expect(publicUrl({ HOST: '0.0.0.0' })).toBe('http://127.0.0.1:4000');
    expect(publicUrl({ HOST: '::' })).toBe('http://127.0.0.1:4000');
    expect(publicUrl({ HOST: 'localhost' })).toBe('http://localhost:4000');
    expect(publicUrl({ HOST: '10.1.2.3', PORT: '0' })).toBe('http://10.1.2.3:0');
    expect(publicUrl({ HOST: '0.0.0.0', PUBLIC_URL: 'https://hub.example.com/' })).toBe('https://hub.example.com');
  });

  it('selects MongoDB from a mongodb:// URL and takes the database name from its path', () => {
    const config = loadConfig({ DATABASE_URL: 'mongodb://db.example:27017/hub_prod?replicaSet=rs0' });
    expect(config.database).toEqual({ kind: 'mongodb', url: 'mongodb://db.example:27017/hub_prod?replicaSet=rs0', dbName: 'hub_prod' });
  });

  it('accepts an in-memory SQLite database', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ kind: 'sqlite', file: ':memory:', url: 'sqlite::memory:' });
  });

  it('names the variable and what it expects when a value is invalid', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([{ variable: 'PORT', message: 'expected an integer between 0 and 65535' }]);
    expect(problemsOf({ GRAPHQL_INTROSPECTION: 'maybe' })).toEqual([{ variable: 'GRAPHQL_INTROSPECTION', message: 'expected true or false' }]);
    expect(problemsOf({ DATABASE_URL: 'postgres://x' })[0]?.variable).toBe('DATABASE_URL');
  });

  it('reports every invalid variable at once, each on its own line of the message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '-1', LOG_LEVEL: 'loud', GRAPHQL_MAX_DEPTH: '1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/^ {2}PORT: /m);
    expect(message).toMatch(/^ {2}LOG_LEVEL: /m);
    expect(message).toMatch(/^ {2}GRAPHQL_MAX_DEPTH: expected an integer between 2 and 100$/m);
  });

  it('refuses half a set of provider credentials', () => {
    expect(problemsOf({ GOOGLE_CLIENT_ID: 'id-only' })).toEqual([
      { variable: 'GOOGLE_CLIENT_SECRET', message: 'set both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or neither (sandbox provider)' },
    ]);
  });

  it('parses the GraphQL limits and switches introspection off', () => {
    const config = loadConfig({ GRAPHQL_MAX_DEPTH: '5', GRAPHQL_MAX_COMPLEXITY: '200', GRAPHQL_INTROSPECTION: 'false' });
    expect(config.graphql).toEqual({ introspection: false, maxDepth: 5, maxComplexity: 200, maxAliases: 50, rateLimitPerMinute: 300_000, maxSubscriptionsPerSocket: 50 });
  });
});
