import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS, type HubPubSub, type SyncRunChangedPayload } from '../../../src/events/hub-pubsub.js';
import type { HubId } from '../../../src/domain/ids.js';
import { take } from '../../helpers/pubsub-helpers.js';

/** One shared backend (a bus, a database) on which hub instances can be opened. */
export interface PubSubBackendFixture {
  /** Opens one hub instance's pubsub on the shared backend; each call is a separate instance. */
  open(): HubPubSub;
  /** Waits until an instance's event feed is live (subscriptions made before it see events). */
  ready(pubsub: HubPubSub): Promise<void>;
  /** Transport listeners held by an instance (to prove nothing leaks). */
  listenerCount(pubsub: HubPubSub): number;
  dispose(): Promise<void>;
}

const tenant = (n: number) => `ten_${String(n).padStart(26, '0')}` as HubId<'tenant'>;

function runPayload(n: number, tenantId = tenant(1)): SyncRunChangedPayload {
  return {
    tenantId,
    syncRunId: `run_${String(n).padStart(26, '0')}` as HubId<'syncRun'>,
    connectionId: 'con_00000000000000000000000001' as HubId<'connection'>,
    trigger: 'POLL',
    outcome: 'SUCCEEDED',
    phase: 'FINISHED',
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  };
}

/**
 * The behaviour every pubsub transport must show through `HubPubSub`, run once per transport
 * (in-process.test.ts, mongo.test.ts), the way Agenda runs one suite against every backend.
 */
export function pubSubContract(name: string, createFixture: () => Promise<PubSubBackendFixture>): void {
  describe(`pubsub contract: ${name}`, () => {
    let fixture: PubSubBackendFixture;
    let hub: HubPubSub;

    beforeEach(async () => {
      fixture = await createFixture();
      hub = fixture.open();
    });

    afterEach(async () => {
      await hub.close();
      await fixture.dispose();
    });

    it('delivers an event to every subscriber of its topic', async () => {
      const subscribers = [1, 2, 3].map(() => hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED));
      await fixture.ready(hub);
      await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(1));
      for (const subscriber of subscribers) {
        expect(await take(subscriber, 1)).toEqual([runPayload(1)]);
      }
    });

    it('does not deliver events of other topics', async () => {
      const runs = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
      await fixture.ready(hub);
      await hub.publishTyped(TOPICS.TENANT_CHANGED, { tenantId: tenant(1), change: 'UPDATED', at: '2025-01-01T00:00:00.000Z' });
      await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(2));
      // Per-publisher order holds, so had the first event leaked it would arrive first.
      expect(await take(runs, 1)).toEqual([runPayload(2)]);
    });

    it('keeps the order of one publisher, also when publishes are not awaited one by one', async () => {
      const runs = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
      await fixture.ready(hub);
      const payloads = Array.from({ length: 40 }, (_, i) => runPayload(i));
      await Promise.all(payloads.map((p) => hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, p)));
      expect(await take(runs, payloads.length)).toEqual(payloads);
    });

    it('routes type-graphql publish(topic, id, payload) to subscribe(topic, id) only', async () => {
      const forTenant1 = hub.subscribe('NOTES', tenant(1));
      const forTenant2 = hub.subscribe('NOTES', tenant(2));
      await fixture.ready(hub);
      hub.publish('NOTES', tenant(2), { note: 'for two' });
      hub.publish('NOTES', tenant(1), { note: 'for one' });
      expect(await take(forTenant1, 1)).toEqual([{ note: 'for one' }]);
      expect(await take(forTenant2, 1)).toEqual([{ note: 'for two' }]);
    });

    it('scopes a typed subscription to one tenant', async () => {
      const mine = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED, { tenantId: tenant(7) });
      await fixture.ready(hub);
      await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(1, tenant(8)));
      await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(2, tenant(7)));
      expect(await take(mine, 1)).toEqual([runPayload(2, tenant(7))]);
    });

    it('stops delivering to a subscriber that unsubscribed and frees its listener', async () => {
      const leaving = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
      const staying = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
      expect(fixture.listenerCount(hub)).toBe(2);
      await fixture.ready(hub);

      await leaving.return?.();
      expect(hub.subscriptionCount).toBe(1);
      expect(fixture.listenerCount(hub)).toBe(1);

      await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(3));
      expect(await take(staying, 1)).toEqual([runPayload(3)]);
      expect(await leaving.next()).toEqual({ value: undefined, done: true });
    });

    it('stops calling a transport listener once its unsubscribe function ran', async () => {
      const received: unknown[] = [];
      const unsubscribe = hub.transport.subscribe('RAW', (payload) => received.push(payload));
      const witness = hub.subscribe('RAW');
      await fixture.ready(hub);
      unsubscribe();
      unsubscribe();
      await hub.transport.publish('RAW', { n: 1 });
      expect(await take(witness, 1)).toEqual([{ n: 1 }]);
      expect(received).toEqual([]);
      expect(fixture.listenerCount(hub)).toBe(1);
    });

    it('ends the AsyncIterable when the consumer leaves a for-await loop', async () => {
      const runs = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
      await fixture.ready(hub);
      await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(4));
      const seen: SyncRunChangedPayload[] = [];
      for await (const payload of runs) {
        seen.push(payload);
        break;
      }
      expect(seen).toEqual([runPayload(4)]);
      expect(hub.subscriptionCount).toBe(0);
      expect(fixture.listenerCount(hub)).toBe(0);
      expect((await runs.next()).done).toBe(true);
    });

    it('accepts a publish nobody listens to', async () => {
      await fixture.ready(hub);
      await expect(hub.publishTyped(TOPICS.CLEANUP_PROGRESS, {
        tenantId: tenant(1),
        connectionId: 'con_00000000000000000000000001' as HubId<'connection'>,
        processed: 1,
        total: null,
        done: false,
        at: '2025-01-01T00:00:00.000Z',
      })).resolves.toBeUndefined();
    });

    it('delivers payloads as their JSON round trip, a separate copy per subscriber', async () => {
      const a = hub.subscribe('JSON');
      const b = hub.subscribe('JSON');
      await fixture.ready(hub);
      const payload = {
        tenantId: tenant(1),
        text: 'Grüße — 会议 📅 "quoted" \\ backslash',
        nested: { list: [1, 2.5, -3, null, true, false, { deep: 'x' }], empty: {} },
        when: new Date(Date.UTC(2025, 5, 1, 12)),
        skipped: undefined,
      };
      hub.publish('JSON', payload);
      const [fromA] = await take(a, 1);
      const [fromB] = await take(b, 1);
      expect(fromA).toEqual(JSON.parse(JSON.stringify(payload)));
      expect(fromA).not.toBe(fromB);
      (fromA as { nested: { list: unknown[] } }).nested.list.push('mutated');
      expect(fromB).toEqual(JSON.parse(JSON.stringify(payload)));
    });

    it('rejects a payload JSON cannot carry instead of delivering something else', async () => {
      await expect(hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, { ...runPayload(1), extra: 10n } as never)).rejects.toThrow();
    });

    it('delivers an event published on either of two instances to both, once each', async () => {
      const other = fixture.open();
      try {
        const onHub = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
        const onOther = other.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
        await fixture.ready(hub);
        await fixture.ready(other);

        await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(10));
        await other.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(11));
        // The instances publish concurrently from each reader's point of view, so compare as sets;
        // a third event from one publisher proves no duplicate of the first two is still pending.
        const fromHub = await take(onHub, 2);
        const fromOther = await take(onOther, 2);
        expect(fromHub).toEqual(expect.arrayContaining([runPayload(10), runPayload(11)]));
        expect(fromOther).toEqual(expect.arrayContaining([runPayload(10), runPayload(11)]));

        await hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(12));
        expect(await take(onHub, 1)).toEqual([runPayload(12)]);
        expect(await take(onOther, 1)).toEqual([runPayload(12)]);
      } finally {
        await other.close();
      }
    });

    it('ends open iterators when the pubsub closes', async () => {
      const runs = hub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED);
      await fixture.ready(hub);
      const pending = runs.next();
      const consumed: unknown[] = [];
      const loop = (async () => {
        for await (const value of hub.subscribe('OTHER')) consumed.push(value);
      })();
      await hub.close();
      await expect(pending).resolves.toEqual({ value: undefined, done: true });
      await loop;
      expect(consumed).toEqual([]);
      expect(hub.subscriptionCount).toBe(0);
      expect(fixture.listenerCount(hub)).toBe(0);
      await expect(hub.publishTyped(TOPICS.SYNC_RUN_CHANGED, runPayload(1))).rejects.toThrow(/closed/);
    });
  });
}
