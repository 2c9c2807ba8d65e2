import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewerDocument } from '../../graphql/generated.js';
import { startTestHub, type TestHub } from '../../helpers/hub-harness.js';

/** Issue 15, finding 11: a body trickled in byte by byte must not hold a connection open forever. */
describe('slow requests', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ HTTP_REQUEST_TIMEOUT_MS: '500' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 408 and closes the connection when the request does not arrive within HTTP_REQUEST_TIMEOUT_MS', async () => {
    const socket = net.connect(Number(new URL(t.origin).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    // One byte every 100 ms: never idle long enough for an idle timeout, never complete.
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    try {
      await ended;
    } finally {
      clearInterval(trickle);
    }
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('still serves ordinary requests', async () => {
    expect((await t.gql(ViewerDocument, {}, t.adminKey)).data?.viewer.role).toBe('ADMIN');
  });
});
