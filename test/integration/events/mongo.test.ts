import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPubSub } from '../../../src/events/create-pubsub.js';
import { HubPubSub } from '../../../src/events/hub-pubsub.js';
import { MongoTransport } from '../../../src/events/mongo.transport.js';
import { silentLogger, take } from '../../helpers/pubsub-helpers.js';
import { pubSubContract } from './pubsub-contract.js';

const url = process.env.MONGODB_TEST_URL;

// Needs a MongoDB server: set MONGODB_TEST_URL (e.g. mongodb://127.0.0.1:27017) to run it.
describe.skipIf(!url)('MongoDB pubsub transport', () => {
  let client: MongoClient;
  let db: Db;
  const logger = silentLogger();

  beforeAll(async () => {
    client = await MongoClient.connect(url!);
    db = client.db(`hub_pubsub_test_${randomUUID().slice(0, 8)}`);
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  const transportOptions = (collection: string) => ({ collection, sizeBytes: 1024 * 1024, maxAwaitTimeMs: 100 });

  pubSubContract('mongodb transport', async () => {
    const collection = `events_${randomUUID().slice(0, 8)}`;
    return {
      // Each instance gets its own transport (its own tailing cursor) on the shared collection.
      open: () => new HubPubSub(new MongoTransport(db, logger, transportOptions(collection)), logger),
      ready: (pubsub) => pubsub.ping(),
      listenerCount: (pubsub) => (pubsub.transport as MongoTransport).listenerCount,
      dispose: async () => {
        await db.collection(collection).drop().catch(() => undefined);
      },
    };
  });

  it('creates a capped collection and does not replay events published before it started', async () => {
    const collection = `events_${randomUUID().slice(0, 8)}`;
    const early = createPubSub({ kind: 'mongodb', db, mongo: transportOptions(collection) }, logger);
    await early.ping();
    await early.publishTyped('TENANT_CHANGED', { tenantId: 'ten_1' as never, change: 'CREATED', at: '2025-01-01T00:00:00.000Z' });

    const late = createPubSub({ kind: 'mongodb', db, mongo: transportOptions(collection) }, logger);
    const feed = late.subscribe('TENANT_CHANGED');
    await late.ping();
    await early.publishTyped('TENANT_CHANGED', { tenantId: 'ten_2' as never, change: 'UPDATED', at: '2025-01-01T00:00:01.000Z' });
    expect(await take(feed, 1)).toEqual([{ tenantId: 'ten_2', change: 'UPDATED', at: '2025-01-01T00:00:01.000Z' }]);

    const [info] = await db.listCollections({ name: collection }).toArray();
    expect((info as { options?: { capped?: boolean } }).options?.capped).toBe(true);
    await early.close();
    await late.close();
  });

  it('refuses to use an existing collection that is not capped', async () => {
    const collection = `plain_${randomUUID().slice(0, 8)}`;
    await db.createCollection(collection);
    const pubsub = new HubPubSub(new MongoTransport(db, logger, transportOptions(collection)), logger);
    await expect(pubsub.publishTyped('TENANT_CHANGED', { tenantId: 'ten_1' as never, change: 'CREATED', at: 'x' })).rejects.toThrow(/not capped/);
    await pubsub.close();
  });
});
