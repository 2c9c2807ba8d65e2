import { dayFromYmd, weekdayOf, ymdFromDay, type LocalDateTime, type RRule, type Weekday } from './rrule.js';

/**
 * Expands one RRULE over wall-clock time, period by period (the year, month, week or day that
 * FREQ and INTERVAL select, counted from DTSTART's period), the way RFC 5545 §3.3.10 describes:
 * BYxxx parts either expand the period into candidate days or limit them, BYSETPOS picks from each
 * period's sorted set, and only candidates at or after DTSTART are yielded, in ascending order.
 *
 * COUNT, UNTIL and the DTSTART-is-the-first-instance rule are applied by the recurrence set, which
 * knows the event's zone. Missing BYxxx parts default from DTSTART as in RFC 5545 (and
 * python-dateutil): YEARLY → BYMONTH + BYMONTHDAY, MONTHLY → BYMONTHDAY, WEEKLY → BYDAY.
 */
export function* expandRRule(rule: RRule, start: LocalDateTime, dateOnly: boolean): Generator<LocalDateTime> {
  const s = ymdFromDay(start.day);
  let byMonth = rule.byMonth;
  let byMonthDay = rule.byMonthDay;
  let byDay = rule.byDay;
  if (!rule.byWeekNo.length && !rule.byYearDay.length && !byMonthDay.length && !byDay.length) {
    if (rule.freq === 'YEARLY') {
      if (!byMonth.length) byMonth = [s.m];
      byMonthDay = [s.d];
    } else if (rule.freq === 'MONTHLY') {
      byMonthDay = [s.d];
    } else if (rule.freq === 'WEEKLY') {
      byDay = [{ n: null, wd: weekdayOf(start.day) }];
    }
  }
  // Ordinals only mean something for MONTHLY and YEARLY; elsewhere they are read as plain days.
  const ordinalsApply = rule.freq === 'MONTHLY' || rule.freq === 'YEARLY';
  const plainDays = new Set<Weekday>(byDay.filter((d) => d.n === null || !ordinalsApply).map((d) => d.wd));
  const nthDays = ordinalsApply ? byDay.filter((d) => d.n !== null) : [];
  const ordinalScopeIsMonth = rule.freq === 'MONTHLY' || byMonth.length > 0;

  const times = timeSet(rule, start, dateOnly);
  const startKey = start.day * 86_400 + start.sec;

  const passes = (day: number): boolean => {
    const { y, m, d } = ymdFromDay(day);
    if (byMonth.length && !byMonth.includes(m)) return false;
    if (rule.byWeekNo.length && !weekNoMatches(day, rule.byWeekNo, rule.wkst)) return false;
    if (rule.byYearDay.length) {
      const yday = day - dayFromYmd(y, 1, 1) + 1;
      const ylen = dayFromYmd(y + 1, 1, 1) - dayFromYmd(y, 1, 1);
      if (!rule.byYearDay.includes(yday) && !rule.byYearDay.includes(yday - ylen - 1)) return false;
    }
    if (byMonthDay.length) {
      const mlen = monthLength(y, m);
      if (!byMonthDay.includes(d) && !byMonthDay.includes(d - mlen - 1)) return false;
    }
    if (byDay.length) {
      const wd = weekdayOf(day);
      if (!plainDays.has(wd)) {
        const scopeStart = ordinalScopeIsMonth ? dayFromYmd(y, m, 1) : dayFromYmd(y, 1, 1);
        const scopeEnd = ordinalScopeIsMonth ? dayFromYmd(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) : dayFromYmd(y + 1, 1, 1);
        const pos = day - scopeStart + 1;
        const fromStart = Math.floor((pos - 1) / 7) + 1;
        const fromEnd = -(Math.floor((scopeEnd - day - 1) / 7) + 1);
        if (!nthDays.some((n) => n.wd === wd && (n.n === fromStart || n.n === fromEnd))) return false;
      }
    }
    return true;
  };

  let emptyStreak = 0;
  for (let k = 0; ; k++) {
    const days = periodDays(rule, start, k);
    if (!days) return;
    const occurrences: LocalDateTime[] = [];
    for (const day of days) {
      if (!passes(day)) continue;
      for (const sec of times) occurrences.push({ day, sec });
    }
    const picked = rule.bySetPos.length ? pickSetPos(occurrences, rule.bySetPos) : occurrences;
    if (picked.length === 0) {
      // A rule that can never match (BYMONTHDAY=30;BYMONTH=2) must not spin forever.
      if (++emptyStreak > 20_000) return;
      continue;
    }
    emptyStreak = 0;
    for (const occ of picked) {
      if (occ.day * 86_400 + occ.sec >= startKey) yield occ;
    }
  }
}

function timeSet(rule: RRule, start: LocalDateTime, dateOnly: boolean): number[] {
  if (dateOnly) return [0];
  const hours = rule.byHour.length ? rule.byHour : [Math.floor(start.sec / 3600)];
  const minutes = rule.byMinute.length ? rule.byMinute : [Math.floor((start.sec % 3600) / 60)];
  const seconds = rule.bySecond.length ? rule.bySecond : [start.sec % 60];
  const out: number[] = [];
  for (const h of hours) for (const m of minutes) for (const s of seconds) out.push(h * 3600 + m * 60 + s);
  return [...new Set(out)].sort((a, b) => a - b);
}

const MAX_YEAR = 9999;

/** Candidate days of the k-th period after DTSTART's period, or null past year 9999. */
function periodDays(rule: RRule, start: LocalDateTime, k: number): number[] | null {
  const s = ymdFromDay(start.day);
  const step = k * rule.interval;
  switch (rule.freq) {
    case 'YEARLY': {
      const y = s.y + step;
      if (y > MAX_YEAR) return null;
      return range(dayFromYmd(y, 1, 1), dayFromYmd(y + 1, 1, 1));
    }
    case 'MONTHLY': {
      const idx = s.y * 12 + (s.m - 1) + step;
      const y = Math.floor(idx / 12);
      const m = (idx % 12) + 1;
      if (y > MAX_YEAR) return null;
      return range(dayFromYmd(y, m, 1), dayFromYmd(y, m, 1) + monthLength(y, m));
    }
    case 'WEEKLY': {
      const weekStart = start.day - ((weekdayOf(start.day) - rule.wkst + 7) % 7) + step * 7;
      if (ymdFromDay(weekStart).y > MAX_YEAR) return null;
      return range(weekStart, weekStart + 7);
    }
    case 'DAILY': {
      const day = start.day + step;
      if (ymdFromDay(day).y > MAX_YEAR) return null;
      return [day];
    }
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = from; d < to; d++) out.push(d);
  return out;
}

export function monthLength(y: number, m: number): number {
  return dayFromYmd(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - dayFromYmd(y, m, 1);
}

function pickSetPos(sorted: LocalDateTime[], positions: number[]): LocalDateTime[] {
  const picked = new Set<LocalDateTime>();
  for (const p of positions) {
    const occ = p > 0 ? sorted[p - 1] : sorted[sorted.length + p];
    if (occ) picked.add(occ);
  }
  return sorted.filter((o) => picked.has(o));
}

/** First day of week 1 of `year`: the first week (starting on `wkst`) with at least 4 days in the year. */
function week1Start(year: number, wkst: Weekday): number {
  const jan1 = dayFromYmd(year, 1, 1);
  const offset = (weekdayOf(jan1) - wkst + 7) % 7;
  return offset <= 3 ? jan1 - offset : jan1 - offset + 7;
}

/** Whether `day`'s week number (in the week-numbering year it belongs to) is listed, negatives counting from the end. */
function weekNoMatches(day: number, weekNos: number[], wkst: Weekday): boolean {
  let y = ymdFromDay(day).y;
  if (day < week1Start(y, wkst)) y -= 1;
  else if (day >= week1Start(y + 1, wkst)) y += 1;
  const first = week1Start(y, wkst);
  const weeks = (week1Start(y + 1, wkst) - first) / 7;
  const no = Math.floor((day - first) / 7) + 1;
  return weekNos.includes(no) || weekNos.includes(no - weeks - 1);
}
