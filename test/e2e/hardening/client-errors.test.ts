import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestHub, type TestHub } from '../../helpers/hub-harness.js';

/** Issue 15, finding 9: a client's mistake is a client error (4xx, a client code), never INTERNAL_SERVER_ERROR. */
describe('client mistakes', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = async (body: unknown) => {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  };

  it('answers a subscription sent over HTTP with 400 BAD_REQUEST that points to WebSocket', async () => {
    const r = await post({ query: 'subscription { tenantChanged { change } }' });
    expect(r.status).toBe(400);
    expect(onlyError(r.body).extensions?.code).toBe('BAD_REQUEST');
    expect(onlyError(r.body).message).toMatch(/WebSocket/);
  });

  it('answers an automatic persisted query whose hash does not match the query with 400 BAD_REQUEST', async () => {
    const r = await post({ query: '{ viewer { role } }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(r.status).toBe(400);
    expect(onlyError(r.body)).toMatchObject({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
  });
});
