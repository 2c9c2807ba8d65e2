import { randomUUID } from 'node:crypto';
import { MongoBackend } from '@agendajs/mongo-backend';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe } from 'vitest';
import { jobBackendContract } from './backend-contract.js';

const url = process.env.MONGODB_TEST_URL;

// Needs a MongoDB server: set MONGODB_TEST_URL (e.g. mongodb://127.0.0.1:27017) to run it.
describe.skipIf(!url)('MongoDB job backend', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(url!);
    db = client.db(`hub_jobs_test_${randomUUID().slice(0, 8)}`);
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  jobBackendContract('@agendajs/mongo-backend', async () => {
    // Each test gets its own collection; every backend instance on it is another "worker".
    const collection = `agenda_jobs_${randomUUID().slice(0, 8)}`;
    return {
      async open() {
        const backend = new MongoBackend({ mongo: db, collection });
        await backend.connect();
        return backend;
      },
      async dispose() {
        await db.collection(collection).drop().catch(() => undefined);
      },
    };
  });
});
