import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { vtimezone } from '../../../src/ics/vtimezone.js';
import { readIcs } from '../../helpers/ics-reader.js';

const DAY_MS = 86_400_000;
const ZONES = ['Europe/Zurich', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo', 'America/Mexico_City', 'Africa/Casablanca'];

describe('VTIMEZONE', () => {
  it('gives ical.js the same UTC offsets as the IANA database at any instant of the span', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 5 * 365 * 24 }), (zone, hours) => {
        const from = Date.parse('2024-06-01T00:00:00Z');
        const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//test//EN', vtimezone(zone, { from, to: from + 6 * 365 * DAY_MS })!, 'END:VCALENDAR'].join('\r\n');
        const at = DateTime.fromMillis(from + hours * 3_600_000, { zone });
        const local = at.toFormat("yyyyLLdd'T'HHmmss");
        const event = [
          'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//test//EN', text.split('\r\n').slice(3, -1).join('\r\n'),
          'BEGIN:VEVENT', 'UID:x@test', 'DTSTAMP:20250101T000000Z', `DTSTART;TZID=${zone}:${local}`, `DTEND;TZID=${zone}:${local}`, 'SUMMARY:x', 'END:VEVENT', 'END:VCALENDAR',
        ].join('\r\n');
        const [read] = readIcs(event, { start: new Date(0), end: new Date(8.64e15) }).occurrences;
        // A local time in a gap or an overlap has two readings; any instant whose local time is this one is right.
        expect(DateTime.fromISO(read!.start, { zone }).toFormat("yyyyLLdd'T'HHmmss")).toBe(local);
      }),
      { numRuns: 300 },
    );
  });

  it('is null for a zone the runtime does not know', () => {
    expect(vtimezone('Mars/Olympus_Mons', { from: 0, to: DAY_MS })).toBeNull();
  });
});
