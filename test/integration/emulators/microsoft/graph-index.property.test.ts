import type { Client } from '@microsoft/microsoft-graph-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFor, startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

/**
 * The emulator keeps a delta round's items while the mailbox is unchanged and looks events up
 * through an index (by calendar, by extended-property value). Model-based checks, through the
 * Graph client, that neither changes what a client sees: a client following delta rounds (with
 * writes between their pages) ends with exactly the calendar view, and a tag lookup finds
 * exactly the events carrying the tag.
 */

const ACCOUNT = 'index@contoso.onmicrosoft.com';
const TAG_ID = 'String {8b6a8f0e-3c55-4d7e-9f1a-2e6c4b7d9a31} Name SyncHubTag';
const WINDOW = { start: '2031-03-01T00:00:00Z', end: '2031-04-15T00:00:00Z' };
const TAGS = ['tag-1', 'TAG-1', 'tag-2', "o'tag"];

type Op = { kind: 'single' | 'series'; day: number; tag: number } | { kind: 'patch' | 'delete'; pick: number; occurrence: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('single' as const, 'series' as const), day: fc.integer({ min: 1, max: 28 }), tag: fc.integer({ min: -1, max: TAGS.length - 1 }) }),
  fc.record({ kind: fc.constantFrom('patch' as const, 'delete' as const), pick: fc.nat(), occurrence: fc.boolean() }),
);

interface DeltaPage {
  value: { id: string; changeKey?: string; '@removed'?: unknown }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

let env: MicrosoftTestEnv;
let graph: Client;
let runs = 0;

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  env.ms.control.createAccount({ email: ACCOUNT });
  ({ graph } = await graphFor(env, ACCOUNT));
});
afterAll(async () => env?.close());

describe('Microsoft Graph emulator: indexed reads', () => {
  it('delta rounds with writes between pages end with exactly the calendar view; tag lookups find exactly the tagged events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(opArb, { maxLength: 8 }),
        fc.array(fc.array(opArb, { maxLength: 3 }), { maxLength: 4 }),
        fc.array(opArb, { minLength: 1, maxLength: 8 }),
        async (pageSize, before, betweenPages, after) => {
          const control = env.ms.control;
          const calendarId = String(control.createCalendar(ACCOUNT, `Run ${++runs}`).id);
          let n = 0;
          const apply = (op: Op) => {
            n += 1;
            if ('day' in op) {
              const day = String(op.day).padStart(2, '0');
              control.createEvent(ACCOUNT, calendarId, {
                subject: `${op.kind} ${n}`,
                start: { dateTime: `2031-03-${day}T09:00:00`, timeZone: 'UTC' },
                end: { dateTime: `2031-03-${day}T10:00:00`, timeZone: 'UTC' },
                ...(op.tag >= 0 ? { singleValueExtendedProperties: [{ id: TAG_ID, value: TAGS[op.tag] }] } : {}),
                ...(op.kind === 'series' ? { recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: [weekday(op.day)] }, range: { type: 'numbered', startDate: `2031-03-${day}`, numberOfOccurrences: 3 } } } : {}),
              });
              return;
            }
            const pool = op.occurrence ? control.listInstances(ACCOUNT, calendarId, WINDOW.start, WINDOW.end) : control.listEvents(ACCOUNT, calendarId);
            if (pool.length === 0) return;
            const id = String(pool[op.pick % pool.length]!.id);
            if (op.kind === 'patch') control.updateEvent(ACCOUNT, id, { subject: `patched ${n}` });
            else control.deleteEvent(ACCOUNT, id);
          };
          const known = new Map<string, string>();
          const round = async (link: string, pauses: Op[][]) => {
            let page = (await graph.api(link).header('Prefer', `odata.maxpagesize=${pageSize}`).get()) as DeltaPage;
            for (let i = 0; ; i++) {
              for (const item of page.value) {
                if (item['@removed']) known.delete(item.id);
                else known.set(item.id, String(item.changeKey));
              }
              if (page['@odata.deltaLink']) return page['@odata.deltaLink'];
              for (const op of pauses[i] ?? []) apply(op);
              page = (await graph.api(page['@odata.nextLink']!).header('Prefer', `odata.maxpagesize=${pageSize}`).get()) as DeltaPage;
            }
          };

          before.forEach(apply);
          const first = await round(`/me/calendars/${encodeURIComponent(calendarId)}/calendarView/delta?startDateTime=${WINDOW.start}&endDateTime=${WINDOW.end}`, betweenPages);
          after.forEach(apply);
          await round(await round(first, []), []);
          const view = control.listInstances(ACCOUNT, calendarId, WINDOW.start, WINDOW.end);
          expect(new Map(view.map((i) => [String(i.id), String(i.changeKey)]))).toEqual(known);

          const found = (await graph
            .api(`/me/calendars/${encodeURIComponent(calendarId)}/events`)
            .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${TAG_ID}' and ep/value eq 'Tag-1')`)
            .top(1000)
            .get()) as { value: { id: string }[] };
          const stored = (env.ms.exportState() as { events: Record<string, { calendarId: string; singleValueExtendedProperties: { value: string }[] }> }).events;
          const tagged = Object.entries(stored)
            .filter(([, e]) => e.calendarId === calendarId && e.singleValueExtendedProperties.some((p) => p.value.toLowerCase() === 'tag-1'))
            .map(([id]) => id);
          expect(found.value.map((e) => e.id).sort()).toEqual(tagged.sort());
        },
      ),
      { numRuns: 20 },
    );

  }, 240_000);
});

/** Graph's weekday name of 2031-03-`day` (1 March 2031 is a Saturday). */
function weekday(day: number): string {
  return ['saturday', 'sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday'][(day - 1) % 7]!;
}
