import type { EmulatorProvider } from './faults.js';

/** One request as the emulator saw it, from the moment its handling began to the moment it answered. */
export interface JournalEntry {
  provider: EmulatorProvider;
  route: string;
  method: string;
  url: string;
  account: string | null;
  status: number;
  /** Part of a batch ($batch / multipart batch). */
  batched: boolean;
  /** `performance.now()`-style milliseconds of this process (monotonic). */
  startedAt: number;
  endedAt: number;
}

/**
 * A log of every request with its timing, off by default (`enabled`) and bounded (`capacity`).
 * Tests read it to prove properties of the caller that counters cannot show — e.g. that two hub
 * processes never wrote to one mailbox at the same time.
 */
export class RequestJournal {
  enabled = false;
  private entries: JournalEntry[] = [];

  constructor(readonly capacity = 100_000) {}

  record(entry: JournalEntry): void {
    if (!this.enabled) return;
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(filter: { provider?: EmulatorProvider; account?: string } = {}): JournalEntry[] {
    return this.entries.filter((e) => (!filter.provider || e.provider === filter.provider) && (!filter.account || e.account === filter.account.toLowerCase()));
  }

  clear(): void {
    this.entries = [];
  }
}
