import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DECISION_TABLE,
  HOST_SIDES,
  PROVIDER_SIDES,
  decide,
  resolutionActions,
  type DecisionInput,
  type HostSide,
  type ProviderSide,
  type SyncAction,
} from '../../../../src/domain/sync/decision.js';
import { CONFLICT_POLICIES } from '../../../../src/domain/model.js';

const base: DecisionInput = {
  host: 'UNCHANGED',
  provider: 'UNCHANGED',
  twoWay: true,
  policy: 'LATEST_WINS',
  deletionWins: false,
  held: false,
  sameContent: false,
  latest: null,
};

/** Two-way, no conflict involved: one expected action per cell (conflict cells are tested below). */
const expected: Record<HostSide, Record<ProviderSide, SyncAction | 'CONFLICT' | 'ADOPT'>> = {
  ABSENT: { ABSENT: 'NOTHING', NEW: 'CREATE_HOST', UNCHANGED: 'NOTHING', CHANGED: 'NOTHING', DELETED: 'NOTHING' },
  NEW: { ABSENT: 'CREATE_OUTSIDE', NEW: 'ADOPT', UNCHANGED: 'CREATE_OUTSIDE', CHANGED: 'CREATE_OUTSIDE', DELETED: 'NOTHING' },
  UNCHANGED: { ABSENT: 'CREATE_OUTSIDE', NEW: 'ADOPT', UNCHANGED: 'NOTHING', CHANGED: 'UPDATE_HOST', DELETED: 'DELETE_HOST' },
  CHANGED: { ABSENT: 'CREATE_OUTSIDE', NEW: 'ADOPT', UNCHANGED: 'UPDATE_OUTSIDE', CHANGED: 'CONFLICT', DELETED: 'CONFLICT' },
  DELETED: { ABSENT: 'FORGET', NEW: 'DELETE_OUTSIDE', UNCHANGED: 'DELETE_OUTSIDE', CHANGED: 'CONFLICT', DELETED: 'FORGET' },
};

describe('the pair decision table', () => {
  for (const host of HOST_SIDES) {
    for (const provider of PROVIDER_SIDES) {
      const want = expected[host][provider];
      it(`host ${host} × provider ${provider} → ${want}`, () => {
        const cell = DECISION_TABLE[host][provider];
        if (want === 'CONFLICT') {
          expect(cell.kind).toBe('CONFLICT');
        } else if (want === 'ADOPT') {
          expect(cell.kind).toBe('ADOPT');
        } else {
          expect(decide({ ...base, host, provider })).toEqual({ action: want, conflict: null });
        }
      });
    }
  }

  it('with two-way off the host always wins: provider edits are overwritten and provider deletions re-created', () => {
    const off = { ...base, twoWay: false };
    expect(decide({ ...off, host: 'UNCHANGED', provider: 'CHANGED' }).action).toBe('UPDATE_OUTSIDE');
    expect(decide({ ...off, host: 'UNCHANGED', provider: 'DELETED' }).action).toBe('RECREATE_OUTSIDE');
    expect(decide({ ...off, host: 'CHANGED', provider: 'CHANGED' }).action).toBe('UPDATE_OUTSIDE');
    expect(decide({ ...off, host: 'CHANGED', provider: 'DELETED' }).action).toBe('RECREATE_OUTSIDE');
    expect(decide({ ...off, host: 'DELETED', provider: 'CHANGED' }).action).toBe('DELETE_OUTSIDE');
    expect(decide({ ...off, host: 'ABSENT', provider: 'NEW' }).action).toBe('NOTHING');
    expect(decide({ ...off, host: 'NEW', provider: 'NEW', latest: 'PROVIDER' }).action).toBe('UPDATE_OUTSIDE');
  });

  it('an edit on both sides to the same content is not a conflict', () => {
    expect(decide({ ...base, host: 'CHANGED', provider: 'CHANGED', sameContent: true })).toEqual({ action: 'LINK', conflict: null });
  });

  it('adopts the hub’s own event found again: equal content links, otherwise the side that changed last wins', () => {
    expect(decide({ ...base, host: 'NEW', provider: 'NEW', sameContent: true }).action).toBe('LINK');
    expect(decide({ ...base, host: 'UNCHANGED', provider: 'NEW', latest: 'PROVIDER' }).action).toBe('UPDATE_HOST');
    expect(decide({ ...base, host: 'UNCHANGED', provider: 'NEW', latest: 'HOST' }).action).toBe('UPDATE_OUTSIDE');
    expect(decide({ ...base, host: 'CHANGED', provider: 'NEW', latest: null }).action).toBe('UPDATE_OUTSIDE');
    expect(decide({ ...base, host: 'UNCHANGED', provider: 'NEW', latest: 'PROVIDER' }).conflict).toBeNull();
  });

  describe('conflicts', () => {
    const edits = { ...base, host: 'CHANGED', provider: 'CHANGED' } as const;
    it('HOST_WINS writes the host version outside', () => {
      expect(decide({ ...edits, policy: 'HOST_WINS' })).toMatchObject({ action: 'UPDATE_OUTSIDE', conflict: { kind: 'EDIT_EDIT', winner: 'HOST' } });
    });
    it('PROVIDER_WINS takes the calendar version into the host', () => {
      expect(decide({ ...edits, policy: 'PROVIDER_WINS' })).toMatchObject({ action: 'UPDATE_HOST', conflict: { winner: 'PROVIDER' } });
    });
    it('LATEST_WINS takes the side that changed last', () => {
      expect(decide({ ...edits, latest: 'HOST' })).toMatchObject({ action: 'UPDATE_OUTSIDE', conflict: { winner: 'HOST' } });
      expect(decide({ ...edits, latest: 'PROVIDER' })).toMatchObject({ action: 'UPDATE_HOST', conflict: { winner: 'PROVIDER' } });
    });
    it('MANUAL holds the pair with the conflict recorded and no winner', () => {
      expect(decide({ ...edits, policy: 'MANUAL' })).toMatchObject({ action: 'HOLD', conflict: { kind: 'EDIT_EDIT', winner: null } });
    });
    it('deletionWins lets a deletion on either side beat an edit, whatever the policy', () => {
      for (const policy of CONFLICT_POLICIES) {
        expect(decide({ ...base, policy, deletionWins: true, host: 'DELETED', provider: 'CHANGED' }).action).toBe('DELETE_OUTSIDE');
        expect(decide({ ...base, policy, deletionWins: true, host: 'CHANGED', provider: 'DELETED' }).action).toBe('DELETE_HOST');
      }
    });
    it('without deletionWins the policy decides deletions against edits', () => {
      expect(decide({ ...base, policy: 'HOST_WINS', host: 'CHANGED', provider: 'DELETED' }).action).toBe('RECREATE_OUTSIDE');
      expect(decide({ ...base, policy: 'PROVIDER_WINS', host: 'DELETED', provider: 'CHANGED' }).action).toBe('RESTORE_HOST');
      expect(decide({ ...base, policy: 'HOST_WINS', host: 'DELETED', provider: 'CHANGED' }).action).toBe('DELETE_OUTSIDE');
      expect(decide({ ...base, policy: 'PROVIDER_WINS', host: 'CHANGED', provider: 'DELETED' }).action).toBe('DELETE_HOST');
    });
    it('LATEST_WINS keeps the edit when the provider deletion time is unknown', () => {
      expect(decide({ ...base, host: 'CHANGED', provider: 'DELETED', latest: null }).action).toBe('RECREATE_OUTSIDE');
      expect(decide({ ...base, host: 'DELETED', provider: 'CHANGED', latest: null }).action).toBe('RESTORE_HOST');
    });
    it('a manual choice maps to the actions that apply it', () => {
      expect(resolutionActions('EDIT_EDIT', 'HOST')).toEqual(['UPDATE_OUTSIDE']);
      expect(resolutionActions('EDIT_EDIT', 'PROVIDER')).toEqual(['UPDATE_HOST']);
      expect(resolutionActions('EDIT_EDIT', 'DELETE')).toEqual(['DELETE_OUTSIDE', 'DELETE_HOST']);
      expect(resolutionActions('HOST_EDITED_PROVIDER_DELETED', 'HOST')).toEqual(['RECREATE_OUTSIDE']);
      expect(resolutionActions('HOST_DELETED_PROVIDER_EDITED', 'PROVIDER')).toEqual(['RESTORE_HOST']);
    });
  });

  it('a held pair writes nothing until resolved, unless both sides are gone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HOST_SIDES), fc.constantFrom(...PROVIDER_SIDES), fc.constantFrom(...CONFLICT_POLICIES), fc.boolean(), (host, provider, policy, twoWay) => {
        const d = decide({ ...base, host, provider, policy, twoWay, held: true });
        const bothGone = host === 'DELETED' && (provider === 'DELETED' || provider === 'ABSENT');
        expect(d.action).toBe(bothGone ? 'FORGET' : 'HOLD');
      }),
    );
  });

  it('is total: every input gives exactly one action, and a conflict only when both sides moved', () => {
    fc.assert(
      fc.property(
        fc.record({
          host: fc.constantFrom(...HOST_SIDES),
          provider: fc.constantFrom(...PROVIDER_SIDES),
          twoWay: fc.boolean(),
          policy: fc.constantFrom(...CONFLICT_POLICIES),
          deletionWins: fc.boolean(),
          held: fc.constant(false),
          sameContent: fc.boolean(),
          latest: fc.constantFrom('HOST' as const, 'PROVIDER' as const, null),
        }),
        (input) => {
          const d = decide(input);
          expect(typeof d.action).toBe('string');
          if (d.conflict) {
            expect(['CHANGED', 'DELETED']).toContain(input.host);
            expect(['CHANGED', 'DELETED']).toContain(input.provider);
            expect(input.twoWay).toBe(true);
          }
          // Nothing is ever written to the host when two-way sync is off.
          if (!input.twoWay) expect(['CREATE_HOST', 'UPDATE_HOST', 'DELETE_HOST', 'RESTORE_HOST']).not.toContain(d.action);
        },
      ),
    );
  });
});
