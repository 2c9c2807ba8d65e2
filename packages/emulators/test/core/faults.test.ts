import { describe, expect, it } from 'vitest';
import { FaultInjector, FaultRuleError } from '../../src/core/faults.js';

const ctx = (route: string, accounts: string[] = ['alex@contoso.example']) => ({ provider: 'microsoft' as const, route, method: 'GET', accounts });
const status = { kind: 'status' as const, status: 503 };

describe('fault rules', () => {
  it('fires a one-shot rule once, then lets requests through', () => {
    const f = new FaultInjector();
    f.add({ provider: 'microsoft', route: 'graph.events.list', action: status });
    expect(f.match(ctx('graph.events.list'))).toEqual(status);
    expect(f.match(ctx('graph.events.list'))).toBeNull();
  });

  it('matches route prefixes, methods and accounts, and ignores the other provider', () => {
    const f = new FaultInjector();
    f.add({ provider: 'microsoft', route: 'graph.*', method: 'post', account: 'ALEX@contoso.example', action: status, trigger: { mode: 'always' } });
    expect(f.match({ ...ctx('graph.events.create'), method: 'POST' })).toEqual(status);
    expect(f.match(ctx('graph.events.create'))).toBeNull();
    expect(f.match({ ...ctx('identity.token'), method: 'POST' })).toBeNull();
    expect(f.match({ ...ctx('graph.events.create', ['megan@contoso.example']), method: 'POST' })).toBeNull();
    expect(f.match({ ...ctx('graph.events.create'), provider: 'google', method: 'POST' })).toBeNull();
  });

  it('fires every Nth matching request and a limited number of times', () => {
    const f = new FaultInjector();
    f.add({ provider: 'microsoft', action: status, trigger: { mode: 'everyNth', n: 3 } });
    const fired = Array.from({ length: 9 }, () => f.match(ctx('x')) !== null);
    expect(fired).toEqual([false, false, true, false, false, true, false, false, true]);

    const g = new FaultInjector();
    g.add({ provider: 'microsoft', action: status, trigger: { mode: 'times', count: 2 } });
    expect([g.match(ctx('x')), g.match(ctx('x')), g.match(ctx('x'))].map(Boolean)).toEqual([true, true, false]);
  });

  it('repeats the same pattern for the same probability seed', () => {
    const run = () => {
      const f = new FaultInjector();
      f.add({ provider: 'microsoft', action: status, trigger: { mode: 'probability', p: 0.3, seed: 42 } });
      return Array.from({ length: 50 }, () => f.match(ctx('x')) !== null);
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.filter(Boolean).length).toBeGreaterThan(5);
    expect(a.filter(Boolean).length).toBeLessThan(30);
  });

  it('refuses malformed rules', () => {
    const f = new FaultInjector();
    expect(() => f.add({ provider: 'microsoft', action: { kind: 'status', status: 42 } })).toThrow(FaultRuleError);
    expect(() => f.add({ provider: 'microsoft', action: status, trigger: { mode: 'everyNth', n: 0 } })).toThrow(FaultRuleError);
    expect(f.list()).toEqual([]);
  });
});
