import { describe, expect, it } from 'vitest';
import type { EventTiming, Recurrence } from '../../../src/domain/appointment.js';
import { hostSeriesView, sameRecurrence } from '../../../src/domain/recurrence/host-support.js';
import { seriesNotice, type SeriesFinding } from '../../../src/domain/sync-issue.js';
import { recurrenceToWrite, seriesShapeChanged, type ProviderSeriesState } from '../../../src/domain/sync/series.js';
import { DEFAULT_TENANT_SETTINGS, type HostProfile } from '../../../src/domain/tenant-settings.js';

const FULL = DEFAULT_TENANT_SETTINGS.hostProfile;
const timed: EventTiming = { allDay: false, start: '2026-03-02T08:00:00.000Z', end: '2026-03-02T09:00:00.000Z', timeZone: 'Europe/Berlin' };
const rec = (rrule: string, exdates: string[] = [], rdates: string[] = []): Recurrence => ({ rrule, exdates, rdates });
const view = (recurrence: Recurrence, profile: Partial<HostProfile> = {}, extra: { cancelled?: string[]; hasExceptions?: boolean; timing?: EventTiming } = {}) =>
  hostSeriesView({ recurrence, timing: extra.timing ?? timed, cancelled: extra.cancelled ?? [], hasExceptions: extra.hasExceptions ?? false, profile: { ...FULL, ...profile } });
const codes = (v: { findings: SeriesFinding[] }) => v.findings.map((f) => f.code);

describe('what a host holds of a calendar series', () => {
  it('gives a FULL host the series with WKST explicit, EXDATEs and cancelled instances together', () => {
    const v = view(rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6', ['2026-03-09T08:00:00Z']), {}, { cancelled: ['2026-03-16T08:00:00.000Z'] });
    expect(v).toEqual({
      blocked: false,
      recurrence: { rrule: 'FREQ=WEEKLY;COUNT=6;BYDAY=MO;WKST=MO', exdates: ['2026-03-09T08:00:00.000Z', '2026-03-16T08:00:00.000Z'], rdates: [] },
      findings: [],
    });
  });

  it('blocks every series for a host without series (NONE), and gives the first occurrence only to FIRST_OCCURRENCE_ONLY', () => {
    expect(view(rec('FREQ=WEEKLY;BYDAY=MO'), { recurrence: 'NONE' })).toMatchObject({ blocked: true, findings: [{ code: 'HOST_NO_SERIES' }] });
    expect(view(rec('FREQ=WEEKLY;BYDAY=MO'), { recurrence: 'FIRST_OCCURRENCE_ONLY' })).toEqual({
      blocked: false,
      recurrence: null,
      findings: [{ code: 'HOST_FIRST_OCCURRENCE_ONLY', firstDate: '2026-03-02' }],
    });
  });

  it('blocks daily rules for a host without daily recurrence, and lets weekly-on-every-day through', () => {
    expect(view(rec('FREQ=DAILY;COUNT=5'), { supportsDaily: false })).toMatchObject({ blocked: true, findings: [{ code: 'HOST_NO_DAILY_RECURRENCE' }] });
    expect(view(rec('FREQ=WEEKLY;COUNT=35;BYDAY=MO,TU,WE,TH,FR,SA,SU'), { supportsDaily: false })).toMatchObject({ blocked: false, findings: [] });
  });

  it('warns, and still syncs, when the dates of an every-N-weeks rule depend on the host week start (RFC 5545 WKST example)', () => {
    const start: EventTiming = { allDay: false, start: '1997-08-05T09:00:00.000Z', end: '1997-08-05T10:00:00.000Z', timeZone: 'UTC' };
    const v = view(rec('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO'), { weekStart: 'SU' }, { timing: start });
    expect(v.blocked).toBe(false);
    expect(v.recurrence?.rrule).toBe('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO');
    expect(v.findings).toEqual([{ code: 'HOST_WEEK_START_MISMATCH', interval: 2, ruleWeekStart: 'MO', hostWeekStart: 'SU' }]);
    // Tuesday and Thursday: the same dates whichever day weeks start on.
    expect(codes(view(rec('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=MO'), { weekStart: 'SU' }, { timing: start }))).toEqual([]);
  });

  it('gives a host without exceptions the regular series, with a warning when the calendar has exceptions', () => {
    const v = view(rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6', ['2026-03-09T08:00:00.000Z']), { supportsExceptions: false });
    expect(v).toMatchObject({ blocked: false, recurrence: { exdates: [] }, findings: [{ code: 'HOST_NO_EXCEPTIONS' }] });
    expect(codes(view(rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6'), { supportsExceptions: false }, { hasExceptions: true }))).toEqual(['HOST_NO_EXCEPTIONS']);
    expect(codes(view(rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6'), { supportsExceptions: false }))).toEqual([]);
  });

  it('ends an endless series at the end of the day the horizon reaches, in the series zone', () => {
    const v = view(rec('FREQ=WEEKLY;BYDAY=MO'), { supportsEndless: false, endlessHorizonYears: 5 });
    // 2031-03-02 23:59:59 in Berlin (CET) is 22:59:59 UTC.
    expect(v.recurrence?.rrule).toBe('FREQ=WEEKLY;UNTIL=20310302T225959Z;BYDAY=MO;WKST=MO');
    expect(v.findings).toEqual([{ code: 'ENDLESS_SERIES_CAPPED', endDate: '2031-03-02', years: 5 }]);
    const allDay = view(rec('FREQ=YEARLY'), { supportsEndless: false, endlessHorizonYears: 2 }, { timing: { allDay: true, startDate: '2026-05-01', endDate: '2026-05-02', timeZone: null } });
    expect(allDay.recurrence?.rrule).toBe('FREQ=YEARLY;UNTIL=20280501');
  });

  it('blocks extra dates (RDATE), which the host model has none of', () => {
    expect(view(rec('FREQ=WEEKLY;BYDAY=MO', [], ['2026-03-04T08:00:00.000Z']))).toMatchObject({ blocked: true, findings: [{ code: 'RECURRENCE_NOT_REPRESENTABLE', part: 'extra dates outside the rule (RDATE)' }] });
  });
});

describe('the notices users get', () => {
  const item = { subject: 'Team meeting', side: 'MICROSOFT' as const };
  it.each<[SeriesFinding, 'BLOCKING' | 'WARNING', string]>([
    [{ code: 'HOST_NO_DAILY_RECURRENCE' }, 'BLOCKING', 'weekly series on every day of the week'],
    [{ code: 'HOST_NO_EXCEPTIONS' }, 'WARNING', 'separate appointment here as a reminder'],
    [{ code: 'HOST_WEEK_START_MISMATCH', interval: 2, ruleWeekStart: 'MO', hostWeekStart: 'SU' }, 'WARNING', 'Split it into two weekly series'],
    [{ code: 'HOST_NO_SERIES' }, 'BLOCKING', 'separate appointments'],
    [{ code: 'HOST_FIRST_OCCURRENCE_ONLY', firstDate: '2026-03-02' }, 'WARNING', 'later occurrences'],
    [{ code: 'ENDLESS_SERIES_CAPPED', endDate: '2036-03-02', years: 10 }, 'WARNING', 'end date'],
    [{ code: 'RECURRENCE_NOT_REPRESENTABLE', part: 'extra dates outside the rule (RDATE)' }, 'BLOCKING', 'without extra dates'],
  ])('%o: %s with a tip', (finding, severity, tip) => {
    const notice = seriesNotice(finding, item);
    expect(notice).toMatchObject({ code: finding.code, severity });
    expect(notice.message).toContain('“Team meeting” in Outlook');
    expect(notice.tip).toContain(tip);
  });
});

describe('what is written back for a host series', () => {
  const provider = (recurrence: Recurrence, extra: Partial<ProviderSeriesState> = {}): ProviderSeriesState => ({ recurrence, timing: timed, cancelled: [], unmirrored: [], ...extra });

  it('writes the calendar rule back while the host keeps the view it was given', () => {
    const endless = rec('FREQ=WEEKLY;BYDAY=MO');
    const capped = view(endless, { supportsEndless: false, endlessHorizonYears: 5 }).recurrence!;
    expect(recurrenceToWrite(capped, provider(endless), { ...FULL, supportsEndless: false, endlessHorizonYears: 5 })).toBe(endless);
    const withCancelled = rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6', ['2026-03-09T08:00:00.000Z']);
    expect(recurrenceToWrite(rec('FREQ=WEEKLY;COUNT=6;BYDAY=MO;WKST=MO'), provider(withCancelled), { ...FULL, supportsExceptions: false })).toBe(withCancelled);
    expect(recurrenceToWrite(null, provider(endless), { ...FULL, recurrence: 'FIRST_OCCURRENCE_ONLY' })).toBe(endless);
    // Google's cancelled instances stay instances: the master's own lines go back as they were.
    const google = rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6');
    expect(recurrenceToWrite(rec('FREQ=WEEKLY;COUNT=6;BYDAY=MO;WKST=MO', ['2026-03-16T08:00:00.000Z']), provider(google, { cancelled: ['2026-03-16T08:00:00.000Z'] }), FULL)).toBe(google);
  });

  it('writes a rule the host changed as the host has it, keeping what it cannot hold', () => {
    const changed = rec('FREQ=WEEKLY;COUNT=8;BYDAY=MO;WKST=MO');
    expect(recurrenceToWrite(changed, provider(rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6')), FULL)).toBe(changed);
    expect(recurrenceToWrite(changed, provider(rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6', ['2026-03-09T08:00:00.000Z'])), { ...FULL, supportsExceptions: false })).toEqual({ ...changed, exdates: ['2026-03-09T08:00:00.000Z'] });
    expect(recurrenceToWrite(null, provider(rec('FREQ=WEEKLY;BYDAY=MO')), FULL)).toBeNull();
    expect(recurrenceToWrite(changed, null, FULL)).toBe(changed);
  });

  it('compares series by meaning, and tells a change of shape from a new cancellation', () => {
    expect(sameRecurrence(rec('FREQ=WEEKLY;BYDAY=MO;COUNT=6', ['2026-03-09T08:00:00Z']), rec('COUNT=6;FREQ=WEEKLY;BYDAY=MO;WKST=MO', ['2026-03-09T08:00:00.000Z']))).toBe(true);
    expect(sameRecurrence(rec('FREQ=WEEKLY;BYDAY=MO'), rec('FREQ=WEEKLY;BYDAY=TU'))).toBe(false);
    const before = { recurrence: rec('FREQ=WEEKLY;BYDAY=MO'), timing: timed };
    expect(seriesShapeChanged(before, { ...before, recurrence: rec('FREQ=WEEKLY;BYDAY=MO', ['2026-03-09T08:00:00.000Z']) })).toBe(false);
    expect(seriesShapeChanged(before, { ...before, timing: { ...timed, start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T10:00:00.000Z' } })).toBe(true);
    expect(seriesShapeChanged(before, { ...before, recurrence: rec('FREQ=WEEKLY;BYDAY=MO,WE') })).toBe(true);
  });
});
