import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';

/**
 * The emulator answers sync-token reads from an index of what changed and serves list pages
 * from a result kept while nothing changes. Model-based check that neither loses a change: a
 * client that did a full read (with writes between its pages) and then follows its sync token
 * knows every item a fresh full read shows, with the same etag and status.
 */

type Json = Record<string, unknown>;
type Op = { kind: 'single' | 'series'; day: number } | { kind: 'patch' | 'delete'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('single' as const, 'series' as const), day: fc.integer({ min: 1, max: 28 }) }),
  fc.record({ kind: fc.constantFrom('patch' as const, 'delete' as const), pick: fc.nat() }),
);

let env: GoogleTestEnv;
let accountId: string;
let runs = 0;

beforeAll(async () => {
  env = await startGoogleTestEmulator({ seed: false });
  accountId = env.google.control.createAccount({ email: 'index@example.com', timeZone: 'Europe/Zurich' }).id;
});
afterAll(async () => {
  await env.close();
});

describe('Google Calendar emulator: indexed sync reads', () => {
  it('a full read plus the sync-token read since it knows every item of a fresh full read', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        fc.array(opArb, { maxLength: 10 }),
        fc.array(fc.array(opArb, { maxLength: 3 }), { maxLength: 4 }),
        fc.array(opArb, { minLength: 1, maxLength: 10 }),
        (singleEvents, maxResults, before, betweenPages, after) => {
          const control = env.google.control;
          const calendarId = String(control.createCalendar(accountId, { summary: `Run ${++runs}` }).id);
          const query = { singleEvents: String(singleEvents), showDeleted: 'true', maxResults: String(maxResults) };
          let n = 0;
          const apply = (op: Op) => {
            n += 1;
            if ('day' in op) {
              const day = String(op.day).padStart(2, '0');
              control.createEvent(accountId, calendarId, {
                summary: `${op.kind} ${n}`,
                start: { dateTime: `2031-03-${day}T09:00:00`, timeZone: 'Europe/Zurich' },
                end: { dateTime: `2031-03-${day}T10:00:00`, timeZone: 'Europe/Zurich' },
                ...(op.kind === 'series' ? { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'] } : {}),
              });
              return;
            }
            const live = control.listEvents(accountId, calendarId, { singleEvents: String(singleEvents), maxResults: '2500' }).items as Json[];
            if (live.length === 0) return;
            const id = String(live[op.pick % live.length]!.id);
            if (op.kind === 'patch') control.updateEvent(accountId, calendarId, id, { summary: `patched ${n}` });
            else control.deleteEvent(accountId, calendarId, id);
          };
          const read = (start: Json, pauses: Op[][]) => {
            const known = new Map<string, string>();
            let page = control.listEvents(accountId, calendarId, { ...query, ...start });
            for (let i = 0; ; i++) {
              for (const ev of page.items as Json[]) known.set(String(ev.id), `${String(ev.etag)} ${String(ev.status)}`);
              if (!page.nextPageToken) return { known, syncToken: String(page.nextSyncToken) };
              for (const op of pauses[i] ?? []) apply(op);
              page = control.listEvents(accountId, calendarId, { ...query, pageToken: String(page.nextPageToken) });
            }
          };

          before.forEach(apply);
          const first = read({}, betweenPages);
          after.forEach(apply);
          const since = read({ syncToken: first.syncToken }, []);
          const client = new Map([...first.known, ...since.known]);
          const fresh = read({}, []).known;
          for (const [id, state] of fresh) expect(client.get(id), id).toBe(state);
          // Nothing changed since: the next sync-token read is empty.
          expect(read({ syncToken: since.syncToken }, []).known.size).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
