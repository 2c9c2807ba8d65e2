/**
 * The port between `HubPubSub` and whatever carries events: one process (`InProcessTransport`) or
 * every hub instance sharing a MongoDB (`MongoTransport`).
 *
 * Contract every implementation keeps (checked by test/integration/events/pubsub-contract.ts):
 * - `publish` resolves once the event is accepted by the transport; it is delivered to every
 *   listener of exactly that topic, including listeners of the publishing instance (once).
 * - Events of one publisher arrive in the order they were published.
 * - Payloads travel as JSON: a listener receives `JSON.parse(JSON.stringify(payload))`, a fresh
 *   object per listener; a payload that JSON cannot carry makes `publish` reject.
 * - `subscribe` registers synchronously; the returned function removes the listener (idempotent).
 * - `close` removes every listener and stops background work; it never closes a connection the
 *   transport did not open.
 */
export interface PubSubTransport {
  publish(topic: string, payload: unknown): Promise<void>;
  subscribe(topic: string, onMessage: (payload: unknown) => void): () => void;
  close(): Promise<void>;
  /** Resolves when the transport answers and its event feed is live (used by `/readyz`). */
  ping?(): Promise<void>;
}

/** Serialises a payload once per publish; throws on what JSON cannot carry (BigInt, cycles). */
export function encodePayload(payload: unknown): string {
  const json = JSON.stringify(payload);
  // JSON.stringify(undefined) is undefined: carry it as null, as graphql-yoga's pubsub does.
  return json === undefined ? 'null' : json;
}
