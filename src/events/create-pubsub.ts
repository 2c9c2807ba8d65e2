import type { Db } from 'mongodb';
import type { Logger } from '../logger.js';
import { HubPubSub, type HubPubSubOptions } from './hub-pubsub.js';
import { InProcessTransport } from './in-process.transport.js';
import { MongoTransport, type MongoTransportOptions } from './mongo.transport.js';

export type PubSubDeps =
  | ({ kind: 'in-process' } & HubPubSubOptions)
  | ({ kind: 'mongodb'; db: Db } & HubPubSubOptions & { mongo?: MongoTransportOptions });

/**
 * The hub's pubsub for its database mode: in-process for the embedded SQLite mode (one process),
 * through MongoDB when instances share a MongoDB (the `Db` is the one from MikroORM's connection).
 */
export function createPubSub(deps: PubSubDeps, logger: Logger): HubPubSub {
  const log = logger.child({ component: 'pubsub' });
  switch (deps.kind) {
    case 'in-process':
      return new HubPubSub(new InProcessTransport(log), log, { bufferSize: deps.bufferSize });
    case 'mongodb':
      return new HubPubSub(new MongoTransport(deps.db, log, deps.mongo), log, { bufferSize: deps.bufferSize });
  }
}
