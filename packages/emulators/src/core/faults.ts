/**
 * Fault injection shared by both emulators. A rule matches requests by provider, route id (exact,
 * or a prefix ending in `*`), HTTP method and account, and fires once, a number of times, on
 * every Nth match, or with a seeded probability. Provider-specific faults with meaning
 * (revoking a grant, invalidating a cursor, removing a subscription) are control operations of
 * each emulator, not rules.
 */

export type EmulatorProvider = 'microsoft' | 'google';

export type FaultAction =
  /** Answer with this status. Without `body`, the emulator renders its provider's error shape. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: unknown; headers?: Record<string, string> }
  /** Wait, then handle the request normally. */
  | { kind: 'latency'; ms: number }
  /** Never answer; the socket stays open until the client gives up or the server closes. */
  | { kind: 'hang' }
  /** Destroy the connection without an answer. */
  | { kind: 'reset' }
  /**
   * Handle the request normally (the change is committed), then destroy the connection instead of
   * answering: a client crash or network loss after the provider did the work.
   */
  | { kind: 'dropResponse' }
  /**
   * Handle the request normally (the change is committed), then hold the answer until the client
   * goes away: a caller that dies while its write is in flight (tests kill the caller here).
   */
  | { kind: 'hangAfterCommit' };

export type FaultTrigger =
  | { mode: 'once' }
  | { mode: 'times'; count: number }
  | { mode: 'always' }
  | { mode: 'everyNth'; n: number }
  | { mode: 'probability'; p: number; seed: number };

export interface FaultRuleInput {
  provider: EmulatorProvider;
  /** Route id such as `graph.events.create`, or a prefix such as `graph.*`; absent = every route. */
  route?: string;
  method?: string;
  /** Account id or email; absent = every account. */
  account?: string;
  action: FaultAction;
  trigger?: FaultTrigger;
}

export interface FaultRule extends Required<Pick<FaultRuleInput, 'provider' | 'action'>> {
  id: string;
  route: string | null;
  method: string | null;
  account: string | null;
  trigger: FaultTrigger;
  /** How many requests matched the rule's filters. */
  matched: number;
  /** How many times the rule fired. */
  fired: number;
}

export interface FaultContext {
  provider: EmulatorProvider;
  route: string;
  method: string;
  /** Every name the caller's account is known by (id, email); empty when unknown. */
  accounts: string[];
}

/** mulberry32: a tiny seeded PRNG, so probabilistic faults repeat run to run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private randoms = new Map<string, () => number>();
  private seq = 0;

  add(input: FaultRuleInput): FaultRule {
    validateRule(input);
    const rule: FaultRule = {
      id: `fault_${++this.seq}`,
      provider: input.provider,
      route: input.route ?? null,
      method: input.method?.toUpperCase() ?? null,
      account: input.account?.toLowerCase() ?? null,
      action: input.action,
      trigger: input.trigger ?? { mode: 'once' },
      matched: 0,
      fired: 0,
    };
    if (rule.trigger.mode === 'probability') this.randoms.set(rule.id, seeded(rule.trigger.seed));
    this.rules.push(rule);
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    this.randoms.delete(id);
    return this.rules.length !== before;
  }

  clear(provider?: EmulatorProvider): void {
    this.rules = provider ? this.rules.filter((r) => r.provider !== provider) : [];
  }

  list(provider?: EmulatorProvider): FaultRule[] {
    return this.rules.filter((r) => !provider || r.provider === provider).map((r) => ({ ...r }));
  }

  /** The action of the first rule that fires for this request, if any. Exhausted rules are dropped. */
  match(ctx: FaultContext): FaultAction | null {
    for (const rule of this.rules) {
      if (rule.provider !== ctx.provider) continue;
      if (rule.route && !routeMatches(rule.route, ctx.route)) continue;
      if (rule.method && rule.method !== ctx.method.toUpperCase()) continue;
      if (rule.account && !ctx.accounts.some((a) => a.toLowerCase() === rule.account)) continue;
      rule.matched += 1;
      if (!this.fires(rule)) continue;
      rule.fired += 1;
      const t = rule.trigger;
      if (t.mode === 'once' || (t.mode === 'times' && rule.fired >= t.count)) this.remove(rule.id);
      return rule.action;
    }
    return null;
  }

  private fires(rule: FaultRule): boolean {
    const t = rule.trigger;
    switch (t.mode) {
      case 'once':
      case 'times':
      case 'always':
        return true;
      case 'everyNth':
        return rule.matched % t.n === 0;
      case 'probability':
        return (this.randoms.get(rule.id) ?? Math.random)() < t.p;
    }
  }
}

export function routeMatches(pattern: string, route: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return route.startsWith(pattern.slice(0, -1));
  return pattern === route;
}

export class FaultRuleError extends Error {}

function validateRule(r: FaultRuleInput): void {
  if (r.provider !== 'microsoft' && r.provider !== 'google') throw new FaultRuleError('provider must be microsoft or google');
  const a = r.action as FaultAction | undefined;
  if (!a || !['status', 'latency', 'hang', 'reset', 'dropResponse', 'hangAfterCommit'].includes(a.kind)) {
    throw new FaultRuleError('action.kind must be status, latency, hang, reset, dropResponse or hangAfterCommit');
  }
  if (a.kind === 'status' && (!Number.isInteger(a.status) || a.status < 100 || a.status > 599)) throw new FaultRuleError('action.status must be an HTTP status');
  if (a.kind === 'latency' && (!(a.ms >= 0) || a.ms > 600_000)) throw new FaultRuleError('action.ms must be between 0 and 600000');
  const t = r.trigger;
  if (t) {
    if (t.mode === 'times' && !(Number.isInteger(t.count) && t.count > 0)) throw new FaultRuleError('trigger.count must be a positive integer');
    if (t.mode === 'everyNth' && !(Number.isInteger(t.n) && t.n > 0)) throw new FaultRuleError('trigger.n must be a positive integer');
    if (t.mode === 'probability' && !(t.p >= 0 && t.p <= 1 && Number.isInteger(t.seed))) throw new FaultRuleError('trigger.p must be in [0,1] and trigger.seed an integer');
    if (!['once', 'times', 'always', 'everyNth', 'probability'].includes(t.mode)) throw new FaultRuleError('unknown trigger.mode');
  }
}
