import { describe, expect, it } from 'vitest';
import { TailSeeker } from '../../../src/events/tail-seeker.js';

/** Feeds events in natural order; `null` stands for an empty batch (caught up). */
function run(seeker: TailSeeker<string>, feed: (string | null)[]): string[] {
  const delivered: string[] = [];
  for (const item of feed) delivered.push(...(item === null ? seeker.caughtUp() : seeker.accept(item)));
  return delivered;
}

const seekerFor = (target: string | undefined) => new TailSeeker<string>(target, (e) => e === target);

describe('TailSeeker', () => {
  it('skips everything up to and including the last handled event, then delivers the rest live', () => {
    const seeker = seekerFor('c');
    expect(run(seeker, ['a', 'b', 'c', 'd', null, 'e'])).toEqual(['d', 'e']);
    expect(seeker.lost).toBe(false);
  });

  it('delivers nothing older than the start position when nothing newer exists yet', () => {
    const seeker = seekerFor('c');
    expect(run(seeker, ['a', 'b', 'c', null, null])).toEqual([]);
    expect(seeker.isSeeking).toBe(false);
  });

  it('delivers every kept event and reports a gap when the last handled event was evicted', () => {
    const seeker = seekerFor('gone');
    expect(run(seeker, ['x', 'y', null, 'z'])).toEqual(['x', 'y', 'z']);
    expect(seeker.lost).toBe(true);
  });

  it('treats every event as new when there was no start position', () => {
    const seeker = seekerFor(undefined);
    expect(run(seeker, ['a', null, 'b'])).toEqual(['a', 'b']);
    expect(seeker.lost).toBe(false);
  });

  it('bounds what it holds while seeking an evicted position, and reports the gap', () => {
    const seeker = new TailSeeker<string>('gone', (e) => e === 'gone', 2);
    expect(run(seeker, ['a', 'b', 'c', null])).toEqual(['b', 'c']);
    expect(seeker.lost).toBe(true);
  });
});
