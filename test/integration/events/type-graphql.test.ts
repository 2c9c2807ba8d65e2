// type-graphql (external ESM) loads graphql's CommonJS entry; vitest would otherwise resolve the
// "module" entry and two graphql copies would meet ("Duplicate graphql modules").
import { parse, subscribe, type ExecutionResult } from 'graphql/index.js';
import { Arg, buildSchema, Field, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { TOPICS, HubPubSub, type SyncRunChangedPayload } from '../../../src/events/hub-pubsub.js';
import { InProcessTransport } from '../../../src/events/in-process.transport.js';
import { silentLogger, take } from '../../helpers/pubsub-helpers.js';

@ObjectType('PubSubTestRun')
class RunEvent {
  @Field(() => String)
  syncRunId!: string;

  @Field(() => String)
  outcome!: string;
}

@Resolver()
class PubSubTestResolver {
  @Query(() => Boolean)
  alive(): boolean {
    return true;
  }

  @Subscription(() => RunEvent, {
    topics: TOPICS.SYNC_RUN_CHANGED,
    filter: ({ payload, args }: { payload: SyncRunChangedPayload; args: { tenantId: string } }) =>
      payload.tenantId === args.tenantId,
  })
  runChanged(@Root() payload: SyncRunChangedPayload, @Arg('tenantId', () => String) _tenantId: string): RunEvent {
    return { syncRunId: payload.syncRunId, outcome: payload.outcome };
  }
}

const payload = (tenantId: string, n: number) =>
  ({
    tenantId,
    syncRunId: `run_${n}`,
    connectionId: 'con_1',
    trigger: 'MANUAL',
    outcome: 'SUCCEEDED',
    phase: 'FINISHED',
    at: '2025-01-01T00:00:00.000Z',
  }) as unknown as SyncRunChangedPayload;

describe('HubPubSub as type-graphql pubSub', () => {
  it('feeds a GraphQL subscription and frees the listener when the client unsubscribes', async () => {
    const logger = silentLogger();
    const pubsub = new HubPubSub(new InProcessTransport(logger), logger);
    const schema = await buildSchema({ resolvers: [PubSubTestResolver], pubSub: pubsub, validate: false });

    const result = await subscribe({
      schema,
      document: parse('subscription { runChanged(tenantId: "ten_a") { syncRunId outcome } }'),
    });
    const stream = result as AsyncGenerator<ExecutionResult>;
    expect(typeof stream[Symbol.asyncIterator]).toBe('function');
    expect(pubsub.subscriptionCount).toBe(1);

    await pubsub.publishTyped(TOPICS.SYNC_RUN_CHANGED, payload('ten_b', 1));
    await pubsub.publishTyped(TOPICS.SYNC_RUN_CHANGED, payload('ten_a', 2));
    expect(await take(stream, 1)).toEqual([{ data: { runChanged: { syncRunId: 'run_2', outcome: 'SUCCEEDED' } } }]);

    // graphql-ws calls return() on the operation's iterator when the client sends "complete".
    await stream.return(undefined);
    expect(pubsub.subscriptionCount).toBe(0);
    expect((pubsub.transport as InProcessTransport).listenerCount).toBe(0);
    await pubsub.close();
  });
});
