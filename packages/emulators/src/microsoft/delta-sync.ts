import type { CalendarService, EventInstance } from './calendar-service.js';
import { instancesOf } from './calendar-service.js';
import { firstPast, KeptResults } from '../core/kept-results.js';
import { GraphError } from './graph-errors.js';
import type { ChangeEntry, MicrosoftState } from './microsoft-state.js';

/**
 * `calendarView/delta` rounds (docs/providers.md#graph-delta-reads). A token carries the fixed window
 * and the position in the mailbox's change log, so later calls just follow the link:
 * - the first round lists every instance in the window (occurrences and exceptions, never masters);
 * - later rounds replay the events changed since the token: their current in-window instances,
 *   `@removed` for instances that left the window or vanished (cancelled occurrences, deletions),
 *   and `@removed` for single events changed outside the window;
 * - pages are cut by instance id (keyset), so concurrent changes never make a round skip an item;
 * - a token older than the kept change log, or from before `invalidateDeltaTokens`, is 410.
 */
export interface DeltaToken {
  /** Mailbox (account id). */
  a: string;
  /** Calendar id. */
  c: string;
  /** Window [s, e) in epoch ms. */
  s: number;
  e: number;
  /** Change-log position the round replays from; -1 for an initial round. */
  q: number;
  /** Change-log position at the start of this round (becomes the next round's `q`). */
  r: number;
  /** Mailbox sync generation the token belongs to. */
  g: number;
  /** Last item id handed out in this round (skip tokens only). */
  k?: string;
  /** Pages already served in this round. */
  n?: number;
}

export const encodeDeltaToken = (t: DeltaToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');

export function decodeDeltaToken(raw: string): DeltaToken | null {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as DeltaToken;
    if (typeof t.a !== 'string' || typeof t.c !== 'string' || typeof t.s !== 'number' || typeof t.e !== 'number' || typeof t.q !== 'number' || typeof t.r !== 'number' || typeof t.g !== 'number') return null;
    return t;
  } catch {
    return null;
  }
}

export type DeltaItem = { id: string; instance: EventInstance } | { id: string; removed: true };

export const syncStateNotFound = (headers: Record<string, string> = {}) =>
  new GraphError(410, 'SyncStateNotFound', 'The sync state generation is not found, or is invalid. Restart the synchronization with a new initial request.', headers);

/** How many rounds `DeltaRounds` keeps computed (a few clients paging at once). */
const KEPT_ROUNDS = 8;

/**
 * The items of delta rounds, computed once per round and kept while the mailbox is unchanged:
 * a page is then a binary search for the keyset position and a slice, so reading a calendar of
 * N instances costs O(N log N) in all instead of rebuilding and sorting the round on every page.
 * Any write to the mailbox moves its change-log position and the next page recomputes, so a
 * page always shows the state as it is, exactly as without the cache.
 */
export class DeltaRounds {
  private readonly rounds = new KeptResults<DeltaItem[]>(KEPT_ROUNDS);

  constructor(
    private readonly state: MicrosoftState,
    private readonly calendar: CalendarService,
  ) {}

  /** Up to `size` items after `after` (the round's first when undefined), and whether more follow. Throws 410 for stale tokens. */
  page(token: DeltaToken, clamp: boolean, after: string | undefined, size: number): { items: DeltaItem[]; more: boolean } {
    const account = this.state.accounts[token.a];
    if (!account || account.syncGeneration !== token.g) throw syncStateNotFound();
    const log = this.state.changeLogs[token.a] ?? { seq: 0, floor: 0, entries: [] };
    if (token.q >= 0 && token.q < log.floor) throw syncStateNotFound();
    const key = [token.a, token.c, token.s, token.e, token.q, token.r, token.g, clamp].join(' ');
    const items = this.rounds.get(key, [log.seq], () => roundItems(this.state, this.calendar, token, clamp));
    const from = after === undefined ? 0 : firstPast(items, (i) => i.id <= after);
    return { items: items.slice(from, from + size), more: items.length > from + size };
  }
}

/** Every item of the round a token belongs to, sorted by id. */
function roundItems(state: MicrosoftState, calendar: CalendarService, token: DeltaToken, clamp: boolean): DeltaItem[] {
  let items: DeltaItem[];
  if (token.q < 0) {
    items = calendar.instancesInWindow(token.a, token.c, token.s, token.e).map((instance) => ({ id: instance.id, instance }));
  } else {
    const entries = state.changeLogs[token.a]?.entries ?? [];
    const firstBefore = new Map<string, ChangeEntry>();
    for (let i = firstPast(entries, (e) => e.seq <= token.q); i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.calendarId !== token.c) continue;
      if (!firstBefore.has(entry.eventId)) firstBefore.set(entry.eventId, entry);
    }
    const byId = new Map<string, DeltaItem>();
    for (const [eventId, entry] of firstBefore) {
      const now = state.events[eventId];
      const nowInstances = now && now.calendarId === token.c ? instancesOf(now, token.s, token.e, clamp) : [];
      const beforeInstances = entry.before ? instancesOf(entry.before, token.s, token.e, clamp) : [];
      for (const instance of nowInstances) byId.set(instance.id, { id: instance.id, instance });
      for (const old of beforeInstances) if (!byId.has(old.id)) byId.set(old.id, { id: old.id, removed: true });
      const single = (now ?? entry.before)?.type === 'singleInstance';
      if (nowInstances.length === 0 && beforeInstances.length === 0 && single) byId.set(eventId, { id: eventId, removed: true });
    }
    items = [...byId.values()];
  }
  return items.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
