import { randomUUID } from 'node:crypto';
import type { Collection, Db, FindCursor, ObjectId, WithId } from 'mongodb';
import type { Logger } from '../logger.js';
import { encodePayload, type PubSubTransport } from './pubsub-transport.js';
import { TailSeeker } from './tail-seeker.js';

export interface MongoTransportOptions {
  /** Capped collection holding the events (default `hub_events`). */
  collection?: string;
  /** Size of the capped collection in bytes when this transport creates it (default 16 MiB). */
  sizeBytes?: number;
  /** How long one getMore on the tailing cursor waits for new events (default 1000 ms). */
  maxAwaitTimeMs?: number;
  /** Back-off between attempts to reopen the feed after an error (default 100 ms … 5 s). */
  retryDelayMs?: { initial: number; max: number };
  /** How long `ping` waits for the feed to become live before failing (default 5 s). */
  pingTimeoutMs?: number;
}

interface EventDocument {
  /** Null for the marker document that keeps the capped collection non-empty. */
  topic: string | null;
  /** The payload as JSON text, so every transport delivers exactly what JSON carries. */
  payload: string | null;
  /** Id of the publishing transport instance (diagnostics only; delivery does not use it). */
  origin: string;
  at: Date;
}

type StoredEvent = WithId<EventDocument>;

const NAMESPACE_EXISTS = 48;

/**
 * Fans events out to every hub instance sharing one MongoDB database through a capped collection.
 *
 * - Publishing inserts one document. Each transport instance reads the collection with ONE
 *   tailable, awaitData cursor (https://www.mongodb.com/docs/manual/core/tailable-cursors/) and
 *   hands each document to its local listeners. The publishing instance receives its own events
 *   through that same cursor, so every instance (the publisher included) sees each event once.
 * - The feed starts "from now": the newest document at start is the position, older documents
 *   are never delivered.
 * - When the cursor dies (error, failover, killed) the feed reopens with back-off and resumes
 *   after the last event it delivered, skipping by natural order (see `TailSeeker`); if that event
 *   was evicted meanwhile, the gap is logged.
 * - Publishes of one instance are serialised, so they are inserted, and read by everyone, in
 *   publish order.
 * - A tailable cursor on an empty capped collection dies at once, so a marker document is
 *   inserted into an empty collection.
 *
 * The `Db` belongs to the caller (the hub passes MikroORM's); `close` does not close it.
 */
export class MongoTransport implements PubSubTransport {
  private readonly collectionName: string;
  private readonly sizeBytes: number;
  private readonly maxAwaitTimeMs: number;
  private readonly retryDelay: { initial: number; max: number };
  private readonly pingTimeoutMs: number;
  private readonly origin = randomUUID();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly abort = new AbortController();
  private started: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private tailLoop: Promise<void> | undefined;
  private live: Promise<void> | undefined;
  private markLive: (() => void) | undefined;
  private publishQueue: Promise<unknown> = Promise.resolve();
  /** The last event delivered (or the newest event when the feed started). */
  private position: ObjectId | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    options: MongoTransportOptions = {},
  ) {
    this.collectionName = options.collection ?? 'hub_events';
    this.sizeBytes = options.sizeBytes ?? 16 * 1024 * 1024;
    this.maxAwaitTimeMs = options.maxAwaitTimeMs ?? 1000;
    this.retryDelay = options.retryDelayMs ?? { initial: 100, max: 5000 };
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5000;
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('pubsub transport is closed');
    const json = encodePayload(payload);
    // Position the feed before the first insert, so this instance's listeners get its own events.
    await this.ensureStarted();
    const insert = this.publishQueue.then(() =>
      this.collection().insertOne({ topic, payload: json, origin: this.origin, at: new Date() }),
    );
    this.publishQueue = insert.catch(() => undefined);
    await insert;
  }

  subscribe(topic: string, onMessage: (payload: unknown) => void): () => void {
    if (this.closed) return () => {};
    const listener = (payload: unknown) => onMessage(payload);
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    this.startInBackground(this.retryDelay.initial);
    return () => {
      const current = this.listeners.get(topic);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(topic);
    };
  }

  /** Number of listeners this transport holds (diagnostics and leak tests). */
  get listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** Resolves when MongoDB answers and the feed has reached its position (events flow). */
  async ping(): Promise<void> {
    if (this.closed) throw new Error('pubsub transport is closed');
    await this.db.command({ ping: 1 });
    await this.ensureStarted();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.live,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('pubsub event feed is not live')), this.pingTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.restartTimer);
    this.listeners.clear();
    this.abort.abort();
    this.markLive?.();
    await this.publishQueue;
    await this.tailLoop;
  }

  private collection(): Collection<EventDocument> {
    return this.db.collection<EventDocument>(this.collectionName);
  }

  /** Creates the collection, takes the start position and starts the feed; retried on failure. */
  private ensureStarted(): Promise<void> {
    if (!this.started) {
      this.started = this.start().catch((err: unknown) => {
        this.started = undefined;
        throw err;
      });
    }
    return this.started;
  }

  /** Starts the feed for subscribers; keeps retrying with back-off while anyone listens. */
  private startInBackground(delay: number): void {
    if (this.restartTimer) return;
    this.ensureStarted().catch((err: unknown) => {
      this.logger.error({ err, collection: this.collectionName }, 'pubsub event feed failed to start; retrying');
      if (this.closed || this.restartTimer) return;
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.closed && this.listeners.size > 0) this.startInBackground(Math.min(delay * 2, this.retryDelay.max));
      }, delay);
    });
  }

  private async start(): Promise<void> {
    await this.ensureCappedCollection();
    const [newest] = await this.collection()
      .find({}, { sort: { $natural: -1 }, limit: 1, projection: { _id: 1 } })
      .toArray();
    if (this.closed) return;
    this.position = newest?._id;
    this.live = new Promise((resolve) => (this.markLive = resolve));
    this.tailLoop = this.tail();
  }

  private async ensureCappedCollection(): Promise<void> {
    try {
      await this.db.createCollection(this.collectionName, { capped: true, size: this.sizeBytes });
    } catch (err) {
      if ((err as { code?: unknown }).code !== NAMESPACE_EXISTS) throw err;
      const info = await this.db.listCollections({ name: this.collectionName }).next();
      const options = (info && 'options' in info ? info.options : undefined) as { capped?: boolean } | undefined;
      if (!options?.capped) {
        throw new Error(`collection ${this.collectionName} exists but is not capped; drop it or choose another name`);
      }
    }
    const collection = this.collection();
    if ((await collection.estimatedDocumentCount()) === 0) {
      await collection.insertOne({ topic: null, payload: null, origin: this.origin, at: new Date() });
    }
  }

  private async tail(): Promise<void> {
    let delay = this.retryDelay.initial;
    let failing = false;
    while (!this.closed) {
      let cursor: FindCursor<StoredEvent> | undefined;
      try {
        cursor = this.collection().find(
          {},
          {
            tailable: true,
            awaitData: true,
            maxAwaitTimeMS: this.maxAwaitTimeMs,
            signal: this.abort.signal,
          },
        );
        const progressed = await this.follow(cursor);
        if (progressed) delay = this.retryDelay.initial;
        if (failing) this.logger.info({ collection: this.collectionName }, 'pubsub event feed resumed');
        failing = false;
      } catch (err) {
        if (this.closed) break;
        if (!failing) {
          this.logger.warn({ err, collection: this.collectionName }, 'pubsub event feed interrupted; resuming');
        }
        failing = true;
      } finally {
        await cursor?.close().catch(() => undefined);
      }
      if (this.closed) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, this.retryDelay.max);
    }
  }

  /**
   * Reads one cursor until it dies. Returns whether any document was read, so a cursor that dies
   * at once (empty collection) backs off instead of spinning.
   */
  private async follow(cursor: FindCursor<StoredEvent>): Promise<boolean> {
    const target = this.position;
    const seeker = new TailSeeker<StoredEvent>(
      target === undefined ? undefined : ({ _id: target } as StoredEvent),
      (event) => target !== undefined && event._id.equals(target),
    );
    let progressed = false;
    if (!seeker.isSeeking) this.markLive?.();
    while (!this.closed) {
      const event = seeker.isSeeking ? await cursor.tryNext() : await cursor.next();
      if (event === null) {
        if (cursor.closed || cursor.killed) return progressed;
        const ready = seeker.caughtUp();
        if (seeker.lost) {
          this.logger.warn(
            { collection: this.collectionName },
            'pubsub events were evicted from the capped collection before this instance read them; some events may be lost (raise sizeBytes)',
          );
        }
        this.deliverAll(ready);
        this.markLive?.();
        continue;
      }
      progressed = true;
      const wasSeeking = seeker.isSeeking;
      this.deliverAll(seeker.accept(event));
      if (wasSeeking && !seeker.isSeeking) this.markLive?.();
    }
    return progressed;
  }

  private deliverAll(events: StoredEvent[]): void {
    for (const event of events) {
      this.position = event._id;
      if (event.topic === null || event.payload === null) continue;
      const listeners = this.listeners.get(event.topic);
      if (!listeners) continue;
      for (const listener of [...listeners]) {
        try {
          listener(JSON.parse(event.payload));
        } catch (err) {
          this.logger.error({ err, topic: event.topic }, 'pubsub listener failed');
        }
      }
    }
  }
}
