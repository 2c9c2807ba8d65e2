import type { EmulatorProvider } from './faults.js';

/**
 * Request and byte counters per provider, route and account. Benchmarks and tests read them to
 * count the provider calls the hub made (e.g. "a no-change poll costs one request").
 */
export interface CounterRow {
  provider: EmulatorProvider;
  route: string;
  account: string | null;
  /** HTTP requests on the wire. */
  requests: number;
  /** Parts of batch requests ($batch / multipart batch), counted apart from wire requests. */
  batchedRequests: number;
  bytesIn: number;
  bytesOut: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
}

export interface CounterFilter {
  provider?: EmulatorProvider;
  /** Exact route id, or a prefix ending in `*`. */
  route?: string;
  account?: string;
}

export class RequestCounters {
  private rows = new Map<string, CounterRow>();

  private row(provider: EmulatorProvider, route: string, account: string | null): CounterRow {
    const key = `${provider}\u0000${route}\u0000${account ?? ''}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { provider, route, account, requests: 0, batchedRequests: 0, bytesIn: 0, bytesOut: 0, statuses: {} };
      this.rows.set(key, row);
    }
    return row;
  }

  record(e: {
    provider: EmulatorProvider;
    route: string;
    account: string | null;
    bytesIn: number;
    bytesOut: number;
    status: number;
    batched?: boolean;
  }): void {
    const row = this.row(e.provider, e.route, e.account?.toLowerCase() ?? null);
    if (e.batched) row.batchedRequests += 1;
    else row.requests += 1;
    row.bytesIn += e.bytesIn;
    row.bytesOut += e.bytesOut;
    row.statuses[String(e.status)] = (row.statuses[String(e.status)] ?? 0) + 1;
  }

  snapshot(filter: CounterFilter = {}): CounterRow[] {
    return [...this.rows.values()]
      .filter((r) => matches(r, filter))
      .map((r) => ({ ...r, statuses: { ...r.statuses } }));
  }

  total(filter: CounterFilter = {}): { requests: number; batchedRequests: number; bytesIn: number; bytesOut: number } {
    return this.snapshot(filter).reduce(
      (acc, r) => ({
        requests: acc.requests + r.requests,
        batchedRequests: acc.batchedRequests + r.batchedRequests,
        bytesIn: acc.bytesIn + r.bytesIn,
        bytesOut: acc.bytesOut + r.bytesOut,
      }),
      { requests: 0, batchedRequests: 0, bytesIn: 0, bytesOut: 0 },
    );
  }

  reset(): void {
    this.rows.clear();
  }
}

function matches(r: CounterRow, f: CounterFilter): boolean {
  if (f.provider && r.provider !== f.provider) return false;
  if (f.account && r.account !== f.account.toLowerCase()) return false;
  if (f.route) {
    if (f.route.endsWith('*') ? !r.route.startsWith(f.route.slice(0, -1)) : r.route !== f.route) return false;
  }
  return true;
}
