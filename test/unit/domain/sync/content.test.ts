import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventData } from '../../../../src/domain/appointment.js';
import { contentHash, timingMoved } from '../../../../src/domain/sync/content.js';
import type { HubId } from '../../../../src/domain/ids.js';
import { formatHubTag, parseHubTag } from '../../../../src/domain/sync/hub-tag.js';

const data = (over: Partial<EventData> = {}): EventData => ({
  subject: 'Weekly review',
  body: { contentType: 'TEXT', content: 'Agenda:\n- numbers' },
  timing: { allDay: false, start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T10:00:00.000Z', timeZone: 'Europe/Berlin' },
  location: 'Room 1',
  attendees: [
    { email: 'Ann@Example.com', name: 'Ann', optional: false, resource: false, response: 'ACCEPTED', hostUserId: null },
    { email: 'bob@example.com', name: null, optional: true, resource: false, response: 'NEEDS_ACTION', hostUserId: null },
  ],
  reminders: [{ minutesBefore: 15, method: 'POPUP' }],
  recurrence: null,
  showAs: 'BUSY',
  sensitivity: 'NORMAL',
  ...over,
});

const hash = (d: EventData) => contentHash(d, { attendees: true });

describe('content hash', () => {
  it('ignores what carries no meaning: CRLF, surrounding blanks, attendee order and case, responses, millisecond noise', () => {
    const a = data();
    const b = data({
      subject: '  Weekly review \r\n',
      body: { contentType: 'TEXT', content: 'Agenda:\r\n- numbers\r\n' },
      attendees: [
        { email: 'bob@EXAMPLE.com', name: null, optional: true, resource: false, response: 'DECLINED', hostUserId: 'usr_x' },
        { email: 'ann@example.com', name: 'Ann', optional: false, resource: false, response: 'NEEDS_ACTION', hostUserId: null },
      ],
      timing: { allDay: false, start: '2026-03-02T09:00:00.123Z', end: '2026-03-02T10:00:00Z', timeZone: 'Europe/Berlin' },
    });
    expect(hash(b)).toBe(hash(a));
  });

  it('reads an HTML body rewrapped by the provider as the same content', () => {
    const html = data({ body: { contentType: 'HTML', content: '<p>Agenda:</p><ul><li>numbers</li></ul>' } });
    const rewrapped = data({
      body: {
        contentType: 'HTML',
        content: '<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><p>Agenda:</p>\r\n<ul>\r\n<li>numbers</li></ul></body></html>',
      },
    });
    expect(hash(rewrapped)).toBe(hash(html));
  });

  it('sees every real edit', () => {
    const a = data();
    for (const edit of [
      { subject: 'Weekly review!' },
      { location: 'Room 2' },
      { showAs: 'FREE' as const },
      { sensitivity: 'PRIVATE' as const },
      { reminders: null },
      { timing: { allDay: false as const, start: '2026-03-02T09:30:00.000Z', end: '2026-03-02T10:00:00.000Z', timeZone: 'Europe/Berlin' } },
      { recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO', exdates: [], rdates: [] } },
    ]) {
      expect(hash(data(edit))).not.toBe(hash(a));
    }
  });

  it('leaves attendees out when they are not compared', () => {
    expect(contentHash(data({ attendees: [] }), { attendees: false })).toBe(contentHash(data(), { attendees: false }));
  });

  it('normalises RRULE part order and EXDATE order', () => {
    const r1 = data({ recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2', exdates: ['2026-03-16T09:00:00Z', '2026-03-09T09:00:00.000Z'], rdates: [] } });
    const r2 = data({ recurrence: { rrule: 'RRULE:INTERVAL=2;FREQ=WEEKLY;BYDAY=MO,WE', exdates: ['2026-03-09T09:00:00.000Z', '2026-03-16T09:00:00.000Z'], rdates: [] } });
    expect(hash(r1)).toBe(hash(r2));
  });

  it('tells whether a meeting moved (zone names alone do not move it)', () => {
    const t = data().timing;
    expect(timingMoved(t, { ...t, timeZone: 'UTC' } as typeof t)).toBe(false);
    expect(timingMoved(t, { allDay: true, startDate: '2026-03-02', endDate: '2026-03-03', timeZone: null })).toBe(true);
  });
});

describe('hub tag', () => {
  const id = (prefix: string) => fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/).map((s) => `${prefix}_${s}`);
  it('round-trips and is readable back from an event', () => {
    fc.assert(
      fc.property(id('apt'), id('cal'), fc.nat({ max: 5000 }), (appointmentId, calendarId, generation) => {
        const tag = { appointmentId: appointmentId as HubId<'appointment'>, calendarId: calendarId as HubId<'calendar'>, generation };
        expect(parseHubTag(formatHubTag(tag))).toEqual(tag);
      }),
    );
  });
  it('refuses tags in other formats', () => {
    for (const v of ['', 'map_01J0000000000000000000000', 'apt_x.cal_y', 'hello.world', `apt_${'0'.repeat(26)}.cal_${'0'.repeat(26)}.0`, null]) {
      expect(parseHubTag(v)).toBeNull();
    }
  });
});
