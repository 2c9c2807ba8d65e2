import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeBusyIntervals, type BusyInterval } from '../../../src/domain/busy-time.js';

const STATUSES = ['TENTATIVE', 'WORKING_ELSEWHERE', 'BUSY', 'OUT_OF_OFFICE'] as const;
const rank = (s: string) => STATUSES.indexOf(s as (typeof STATUSES)[number]);

const interval = fc
  .record({ start: fc.integer({ min: 0, max: 100 }), length: fc.integer({ min: 1, max: 30 }), showAs: fc.constantFrom(...STATUSES), calendarId: fc.constantFrom('a', 'b', 'c') })
  .map(({ start, length, ...rest }): BusyInterval => ({ start, end: start + length, ...rest }));

describe('merging busy intervals', () => {
  it('joins overlapping and adjacent blocks and keeps tentative time marked where nothing firmer covers it', () => {
    expect(
      mergeBusyIntervals(
        [
          { start: 9, end: 10, showAs: 'BUSY', calendarId: 'a' },
          { start: 10, end: 11, showAs: 'BUSY', calendarId: 'b' },
          { start: 10, end: 13, showAs: 'TENTATIVE', calendarId: 'a' },
          { start: 20, end: 22, showAs: 'OUT_OF_OFFICE', calendarId: 'c' },
        ],
        { start: 0, end: 21 },
      ),
    ).toEqual([
      { start: 9, end: 11, showAs: 'BUSY', calendarIds: ['a', 'b'] },
      { start: 11, end: 13, showAs: 'TENTATIVE', calendarIds: ['a'] },
      { start: 20, end: 21, showAs: 'OUT_OF_OFFICE', calendarIds: ['c'] },
    ]);
  });

  it('covers exactly the busy moments, each with the firmest status, in sorted blocks that never overlap', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 100 }), (intervals, from, length) => {
        const window = { start: from, end: from + length };
        const blocks = mergeBusyIntervals(intervals, window);
        for (let i = 0; i < blocks.length; i++) {
          const b = blocks[i]!;
          expect(b.start).toBeLessThan(b.end);
          expect(b.start).toBeGreaterThanOrEqual(window.start);
          expect(b.end).toBeLessThanOrEqual(window.end);
          const next = blocks[i + 1];
          if (next) {
            expect(b.end).toBeLessThanOrEqual(next.start);
            if (b.end === next.start) expect(next.showAs).not.toBe(b.showAs);
          }
        }
        // Every half-unit moment of the window: covered by a block exactly when an interval covers it.
        for (let t = window.start + 0.5; t < window.end; t++) {
          const covering = intervals.filter((i) => i.start < t && i.end > t);
          const block = blocks.find((b) => b.start < t && b.end > t);
          if (covering.length === 0) {
            expect(block).toBeUndefined();
            continue;
          }
          expect(block?.showAs).toBe(STATUSES[Math.max(...covering.map((i) => rank(i.showAs)))]);
          for (const i of covering) expect(block!.calendarIds).toContain(i.calendarId);
        }
      }),
      { numRuns: 300 },
    );
  });
});
