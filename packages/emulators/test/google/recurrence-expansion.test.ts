import { describe, expect, it } from 'vitest';
import { parseRecurrence, type Occurrence } from '../../src/google/recurrence/recurrence-set.js';
import { dayFromYmd, RecurrenceError } from '../../src/google/recurrence/rrule.js';

// Expected dates are copied by hand from RFC 5545 §3.8.5.3 and §3.3.10 (all examples use
// DTSTART;TZID=America/New_York), not produced by the code under test.
const NY = 'America/New_York';

function timed(dtstart: string, lines: string[], limit = 400, includeUnmatchedStart = true): Occurrence[] {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(dtstart);
  if (!m) throw new Error('bad dtstart');
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const set = parseRecurrence(lines, { kind: 'dateTime', zone: NY, local: { day: dayFromYmd(y, mo, d), sec: h * 3600 + mi * 60 + s } }, { includeUnmatchedStart });
  const out: Occurrence[] = [];
  for (const o of set.occurrences()) {
    out.push(o);
    if (out.length >= limit) break;
  }
  return out;
}

const localDate = (o: Occurrence): string => {
  const day = o.kind === 'date' ? o.day : o.local.day;
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
};
const dates = (occs: Occurrence[]) => occs.map(localDate);
const utcTimes = (occs: Occurrence[]) => occs.map((o) => (o.kind === 'dateTime' ? new Date(o.instantMs).toISOString() : 'date'));

/** Expands "1997-09: 2,4,6" style month lists into ISO dates. */
function days(spec: Record<string, number[]>): string[] {
  return Object.entries(spec).flatMap(([ym, ds]) => ds.map((d) => `${ym}-${String(d).padStart(2, '0')}`));
}
const span = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('RFC 5545 recurrence examples', () => {
  it('daily for 10 occurrences gives September 2-11 at 9:00 EDT', () => {
    const occ = timed('19970902T090000', ['RRULE:FREQ=DAILY;COUNT=10']);
    expect(dates(occ)).toEqual(days({ '1997-09': span(2, 11) }));
    expect(new Set(utcTimes(occ).map((t) => t.slice(11)))).toEqual(new Set(['13:00:00.000Z']));
  });

  it('daily until December 24 keeps 9:00 local across the end of daylight saving time', () => {
    const occ = timed('19970902T090000', ['RRULE:FREQ=DAILY;UNTIL=19971224T000000Z']);
    expect(dates(occ)).toEqual(days({ '1997-09': span(2, 30), '1997-10': span(1, 31), '1997-11': span(1, 30), '1997-12': span(1, 23) }));
    expect(utcTimes(occ)[dates(occ).indexOf('1997-10-25')]).toBe('1997-10-25T13:00:00.000Z');
    expect(utcTimes(occ)[dates(occ).indexOf('1997-10-26')]).toBe('1997-10-26T14:00:00.000Z');
  });

  it('every other day runs forever', () => {
    const occ = timed('19970902T090000', ['RRULE:FREQ=DAILY;INTERVAL=2'], 32);
    expect(dates(occ)).toEqual(
      days({ '1997-09': [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30], '1997-10': [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30], '1997-11': [1, 3] }),
    );
  });

  it('every 10 days, 5 occurrences', () => {
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5']))).toEqual(days({ '1997-09': [2, 12, 22], '1997-10': [2, 12] }));
  });

  it('every day in January for 3 years, written yearly or daily', () => {
    const expected = days({ '1998-01': span(1, 31), '1999-01': span(1, 31), '2000-01': span(1, 31) });
    expect(dates(timed('19980101T090000', ['RRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA']))).toEqual(expected);
    expect(dates(timed('19980101T090000', ['RRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1']))).toEqual(expected);
  });

  it('weekly for 10 occurrences', () => {
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=WEEKLY;COUNT=10']))).toEqual(
      days({ '1997-09': [2, 9, 16, 23, 30], '1997-10': [7, 14, 21, 28], '1997-11': [4] }),
    );
  });

  it('weekly until December 24', () => {
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=WEEKLY;UNTIL=19971224T000000Z']))).toEqual(
      days({ '1997-09': [2, 9, 16, 23, 30], '1997-10': [7, 14, 21, 28], '1997-11': [4, 11, 18, 25], '1997-12': [2, 9, 16, 23] }),
    );
  });

  it('every other week, forever', () => {
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU'], 11))).toEqual(
      days({ '1997-09': [2, 16, 30], '1997-10': [14, 28], '1997-11': [11, 25], '1997-12': [9, 23], '1998-01': [6, 20] }),
    );
  });

  it('weekly on Tuesday and Thursday for five weeks, by UNTIL or by COUNT', () => {
    const expected = days({ '1997-09': [2, 4, 9, 11, 16, 18, 23, 25, 30], '1997-10': [2] });
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH']))).toEqual(expected);
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH']))).toEqual(expected);
  });

  it('every other week on Monday, Wednesday and Friday until December 24', () => {
    expect(dates(timed('19970901T090000', ['RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR']))).toEqual(
      days({
        '1997-09': [1, 3, 5, 15, 17, 19, 29],
        '1997-10': [1, 3, 13, 15, 17, 27, 29, 31],
        '1997-11': [10, 12, 14, 24, 26, 28],
        '1997-12': [8, 10, 12, 22],
      }),
    );
  });

  it('every other week on Tuesday and Thursday for 8 occurrences', () => {
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH']))).toEqual(
      days({ '1997-09': [2, 4, 16, 18, 30], '1997-10': [2, 14, 16] }),
    );
  });

  it('WKST changes which days a bi-weekly rule picks: MO gives Aug 5,10,19,24 and SU gives Aug 5,17,19,31', () => {
    expect(dates(timed('19970805T090000', ['RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO']))).toEqual(days({ '1997-08': [5, 10, 19, 24] }));
    expect(dates(timed('19970805T090000', ['RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU']))).toEqual(days({ '1997-08': [5, 17, 19, 31] }));
  });

  it('monthly on the first Friday for 10 occurrences', () => {
    expect(dates(timed('19970905T090000', ['RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR']))).toEqual(
      days({ '1997-09': [5], '1997-10': [3], '1997-11': [7], '1997-12': [5], '1998-01': [2], '1998-02': [6], '1998-03': [6], '1998-04': [3], '1998-05': [1], '1998-06': [5] }),
    );
  });

  it('monthly on the first Friday until December 24', () => {
    expect(dates(timed('19970905T090000', ['RRULE:FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR']))).toEqual(
      days({ '1997-09': [5], '1997-10': [3], '1997-11': [7], '1997-12': [5] }),
    );
  });

  it('every other month on the first and last Sunday for 10 occurrences', () => {
    expect(dates(timed('19970907T090000', ['RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU']))).toEqual(
      days({ '1997-09': [7, 28], '1997-11': [2, 30], '1998-01': [4, 25], '1998-03': [1, 29], '1998-05': [3, 31] }),
    );
  });

  it('monthly on the second-to-last Monday for 6 months', () => {
    expect(dates(timed('19970922T090000', ['RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=-2MO']))).toEqual(
      days({ '1997-09': [22], '1997-10': [20], '1997-11': [17], '1997-12': [22], '1998-01': [19], '1998-02': [16] }),
    );
  });

  it('monthly on the third-to-last day of the month', () => {
    expect(dates(timed('19970928T090000', ['RRULE:FREQ=MONTHLY;BYMONTHDAY=-3'], 6))).toEqual(
      days({ '1997-09': [28], '1997-10': [29], '1997-11': [28], '1997-12': [29], '1998-01': [29], '1998-02': [26] }),
    );
  });

  it('monthly on the 2nd and 15th, and on the first and last day', () => {
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15']))).toEqual(
      days({ '1997-09': [2, 15], '1997-10': [2, 15], '1997-11': [2, 15], '1997-12': [2, 15], '1998-01': [2, 15] }),
    );
    expect(dates(timed('19970930T090000', ['RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1']))).toEqual(
      days({ '1997-09': [30], '1997-10': [1, 31], '1997-11': [1, 30], '1997-12': [1, 31], '1998-01': [1, 31], '1998-02': [1] }),
    );
  });

  it('every 18 months on the 10th to the 15th for 10 occurrences', () => {
    expect(dates(timed('19970910T090000', ['RRULE:FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15']))).toEqual(
      days({ '1997-09': [10, 11, 12, 13, 14, 15], '1999-03': [10, 11, 12, 13] }),
    );
  });

  it('every Tuesday, every other month', () => {
    expect(dates(timed('19970902T090000', ['RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=TU'], 18))).toEqual(
      days({ '1997-09': [2, 9, 16, 23, 30], '1997-11': [4, 11, 18, 25], '1998-01': [6, 13, 20, 27], '1998-03': [3, 10, 17, 24, 31] }),
    );
  });

  it('yearly in June and July for 10 occurrences', () => {
    expect(dates(timed('19970610T090000', ['RRULE:FREQ=YEARLY;COUNT=10;BYMONTH=6,7']))).toEqual(
      ['1997', '1998', '1999', '2000', '2001'].flatMap((y) => [`${y}-06-10`, `${y}-07-10`]),
    );
  });

  it('every other year in January, February and March for 10 occurrences', () => {
    expect(dates(timed('19970310T090000', ['RRULE:FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3']))).toEqual([
      '1997-03-10',
      ...['1999', '2001', '2003'].flatMap((y) => [`${y}-01-10`, `${y}-02-10`, `${y}-03-10`]),
    ]);
  });

  it('every third year on the 1st, 100th and 200th day for 10 occurrences', () => {
    expect(dates(timed('19970101T090000', ['RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200']))).toEqual([
      '1997-01-01', '1997-04-10', '1997-07-19', '2000-01-01', '2000-04-09', '2000-07-18', '2003-01-01', '2003-04-10', '2003-07-19', '2006-01-01',
    ]);
  });

  it('every 20th Monday of the year, and Monday of week number 20', () => {
    expect(dates(timed('19970519T090000', ['RRULE:FREQ=YEARLY;BYDAY=20MO'], 3))).toEqual(['1997-05-19', '1998-05-18', '1999-05-17']);
    expect(dates(timed('19970512T090000', ['RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO'], 3))).toEqual(['1997-05-12', '1998-05-11', '1999-05-17']);
  });

  it('every Thursday in March, and every Thursday in June, July and August', () => {
    expect(dates(timed('19970313T090000', ['RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=TH'], 11))).toEqual(
      days({ '1997-03': [13, 20, 27], '1998-03': [5, 12, 19, 26], '1999-03': [4, 11, 18, 25] }),
    );
    expect(dates(timed('19970605T090000', ['RRULE:FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8'], 26))).toEqual(
      days({ '1997-06': [5, 12, 19, 26], '1997-07': [3, 10, 17, 24, 31], '1997-08': [7, 14, 21, 28], '1998-06': [4, 11, 18, 25], '1998-07': [2, 9, 16, 23, 30], '1998-08': [6, 13, 20, 27] }),
    );
  });

  it('every Friday the 13th, with the unmatched DTSTART excluded by EXDATE', () => {
    expect(dates(timed('19970902T090000', ['EXDATE;TZID=America/New_York:19970902T090000', 'RRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13'], 5))).toEqual([
      '1998-02-13', '1998-03-13', '1998-11-13', '1999-08-13', '2000-10-13',
    ]);
  });

  it('the first Saturday that follows the first Sunday of the month', () => {
    expect(dates(timed('19970913T090000', ['RRULE:FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13'], 10))).toEqual(
      days({ '1997-09': [13], '1997-10': [11], '1997-11': [8], '1997-12': [13], '1998-01': [10], '1998-02': [7], '1998-03': [7], '1998-04': [11], '1998-05': [9], '1998-06': [13] }),
    );
  });

  it('US presidential election day every 4 years', () => {
    expect(dates(timed('19961105T090000', ['RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8'], 3))).toEqual([
      '1996-11-05', '2000-11-07', '2004-11-02',
    ]);
  });

  it('BYSETPOS picks the third Tuesday-to-Thursday and the second-to-last weekday', () => {
    expect(dates(timed('19970904T090000', ['RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3']))).toEqual(['1997-09-04', '1997-10-07', '1997-11-06']);
    expect(dates(timed('19970929T090000', ['RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2'], 7))).toEqual([
      '1997-09-29', '1997-10-30', '1997-11-27', '1997-12-30', '1998-01-29', '1998-02-26', '1998-03-30',
    ]);
  });

  it('BYSETPOS=-1 gives the last weekday of each month', () => {
    // Sep 30 1997 is a Tuesday; Nov 29/30 and Jan 31, Feb 28 1998 fall on weekends.
    expect(dates(timed('19970930T090000', ['RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1'], 6))).toEqual([
      '1997-09-30', '1997-10-31', '1997-11-28', '1997-12-31', '1998-01-30', '1998-02-27',
    ]);
  });
});

describe('Google recurrence sets', () => {
  it('counts an unmatched DTSTART as the first instance, and can be switched to rule matches only', () => {
    // DTSTART Wednesday 1997-09-03 with a Tuesday rule.
    expect(dates(timed('19970903T090000', ['RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=TU']))).toEqual(['1997-09-03', '1997-09-09', '1997-09-16']);
    expect(dates(timed('19970903T090000', ['RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=TU'], 10, false))).toEqual(['1997-09-09', '1997-09-16', '1997-09-23']);
  });

  it('applies EXDATE in the series zone and adds RDATEs in order', () => {
    const occ = timed('19970902T090000', [
      'RRULE:FREQ=DAILY;COUNT=4',
      'EXDATE;TZID=America/New_York:19970903T090000',
      'RDATE;TZID=Europe/Berlin:19970910T120000',
    ]);
    expect(dates(occ)).toEqual(['1997-09-02', '1997-09-04', '1997-09-05', '1997-09-10']);
    expect(utcTimes(occ)[3]).toBe('1997-09-10T10:00:00.000Z');
  });

  it('expands all-day series over dates with VALUE=DATE exceptions', () => {
    const set = parseRecurrence(['RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4', 'EXDATE;VALUE=DATE:20240531'], { kind: 'date', day: dayFromYmd(2024, 1, 31) }, { includeUnmatchedStart: true });
    expect(dates([...set.occurrences()])).toEqual(['2024-01-31', '2024-03-31', '2024-07-31']);
  });

  it('reads a spring-forward gap with the offset before the gap and a repeated hour as its first occurrence', () => {
    const gap = timed('20240309T023000', ['RRULE:FREQ=DAILY;COUNT=2']);
    expect(utcTimes(gap)).toEqual(['2024-03-09T07:30:00.000Z', '2024-03-10T07:30:00.000Z']);
    const overlap = timed('20241102T013000', ['RRULE:FREQ=DAILY;COUNT=2']);
    expect(utcTimes(overlap)).toEqual(['2024-11-02T05:30:00.000Z', '2024-11-03T05:30:00.000Z']);
  });

  it('refuses rules Google refuses', () => {
    const start = { kind: 'date', day: 0 } as const;
    for (const lines of [['RRULE:FREQ=HOURLY'], ['RRULE:FREQ=DAILY;COUNT=2;UNTIL=20240101'], ['RRULE:BYDAY=MO'], ['DTSTART:20240101'], ['RRULE:FREQ=WEEKLY;BYDAY=1MO'], ['RRULE:FREQ=DAILY;BYSETPOS=1']]) {
      expect(() => parseRecurrence(lines, start, { includeUnmatchedStart: true }), lines.join()).toThrow(RecurrenceError);
    }
  });
});
