/**
 * Results kept by key for as long as their version stays the same (every part equal), at most
 * `limit` of them, the least recently used going first. The emulators use it for what a paged
 * read computes once and then serves page by page while nothing changes.
 */
export class KeptResults<T> {
  private readonly kept = new Map<string, { version: readonly unknown[]; value: T }>();

  constructor(private readonly limit: number) {}

  get(key: string, version: readonly unknown[], compute: () => T): T {
    const hit = this.kept.get(key);
    this.kept.delete(key);
    const entry = hit && hit.version.length === version.length && hit.version.every((v, i) => v === version[i]) ? hit : { version, value: compute() };
    this.kept.set(key, entry);
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= this.limit) break;
      this.kept.delete(oldest);
    }
    return entry.value;
  }
}

/** Index of the first element past those for which `notPast` holds (`list` is ordered so they come first). */
export function firstPast<T>(list: readonly T[], notPast: (x: T) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (notPast(list[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
