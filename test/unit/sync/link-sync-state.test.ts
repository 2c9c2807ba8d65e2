import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkSyncStateOf, type LinkSyncFacts } from '../../../src/sync/link-sync-state.js';

const facts = fc.record<LinkSyncFacts>({
  active: fc.boolean(),
  leaseHeld: fc.boolean(),
  deletionsHeld: fc.boolean(),
  lastRunFailed: fc.boolean(),
  itemsInError: fc.boolean(),
  itemsPending: fc.boolean(),
});

describe('Connection.syncState', () => {
  it('is the first state that applies: PAUSED, SYNCING, HELD, ERROR, PENDING, else IDLE', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const expected = !f.active
          ? 'PAUSED'
          : f.leaseHeld
            ? 'SYNCING'
            : f.deletionsHeld
              ? 'HELD'
              : f.lastRunFailed || f.itemsInError
                ? 'ERROR'
                : f.itemsPending
                  ? 'PENDING'
                  : 'IDLE';
        expect(linkSyncStateOf(f)).toBe(expected);
      }),
    );
  });
});
