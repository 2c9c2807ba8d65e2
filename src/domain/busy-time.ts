import type { ShowAs } from './appointment.js';

/** One stretch of time an event keeps its owner from being free. */
export interface BusyInterval {
  /** Epoch milliseconds, inclusive. */
  start: number;
  /** Epoch milliseconds, exclusive. */
  end: number;
  showAs: Exclude<ShowAs, 'FREE'>;
  calendarId: string;
}

export interface MergedBusyBlock {
  start: number;
  end: number;
  showAs: Exclude<ShowAs, 'FREE'>;
  /** The calendars with an event in the block, sorted. */
  calendarIds: string[];
}

/** Which status a moment shows when events overlap: the one that says "busy" most firmly. */
const STRENGTH: Record<Exclude<ShowAs, 'FREE'>, number> = { TENTATIVE: 1, WORKING_ELSEWHERE: 2, BUSY: 3, OUT_OF_OFFICE: 4 };

/**
 * Merges busy intervals into sorted, non-overlapping blocks within `window`. Every moment gets
 * the firmest status of the events covering it (out of office, busy, working elsewhere,
 * tentative), so a tentative hold stays visible as tentative where nothing firmer covers it;
 * overlapping and adjacent stretches of the same status join into one block, with the calendars of
 * all their events.
 */
export function mergeBusyIntervals(intervals: BusyInterval[], window: { start: number; end: number }): MergedBusyBlock[] {
  const clipped = intervals
    .map((i) => ({ ...i, start: Math.max(i.start, window.start), end: Math.min(i.end, window.end) }))
    .filter((i) => i.end > i.start);
  const edges = [...new Set(clipped.flatMap((i) => [i.start, i.end]))].sort((a, b) => a - b);
  const blocks: MergedBusyBlock[] = [];
  for (let k = 0; k < edges.length - 1; k++) {
    const [from, to] = [edges[k]!, edges[k + 1]!];
    const covering = clipped.filter((i) => i.start < to && i.end > from);
    if (covering.length === 0) continue;
    const showAs = covering.reduce((best, i) => (STRENGTH[i.showAs] > STRENGTH[best] ? i.showAs : best), covering[0]!.showAs);
    const last = blocks.at(-1);
    if (last && last.end === from && last.showAs === showAs) {
      last.end = to;
      last.calendarIds = [...new Set([...last.calendarIds, ...covering.map((i) => i.calendarId)])].sort();
    } else {
      blocks.push({ start: from, end: to, showAs, calendarIds: [...new Set(covering.map((i) => i.calendarId))].sort() });
    }
  }
  return blocks;
}
