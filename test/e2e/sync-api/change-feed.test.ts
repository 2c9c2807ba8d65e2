import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppointmentChangesDocument, UpsertAppointmentDocument, type AppointmentChangesQuery } from '../../graphql/generated.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { createAtProvider, deleteAtProvider, linkedUser, renameAtProvider, syncNowToEnd, type LinkedUser } from './sync-api-harness.js';

/** appointmentChanges: the change feed pages in order, resumes from its cursor, and never skips or repeats a change. */
let t: LinkingHub;
let u: LinkedUser;

beforeAll(async () => {
  t = await startLinkingHub();
  u = await linkedUser(t, 'GOOGLE', 'feed');
});
afterAll(async () => {
  await t?.close();
});

type Page = AppointmentChangesQuery['appointmentChanges'];
type Change = Page['edges'][number]['node'];

async function page(first: number, after: string | null): Promise<Page> {
  const result = await t.gql(AppointmentChangesDocument, { first, ...(after ? { after } : {}) }, u.key);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.appointmentChanges;
}

/** Pages through the feed from `after` with small pages; returns the changes and the cursor to resume from. */
async function readAll(after: string | null, first = 2): Promise<{ changes: Change[]; cursor: string | null; pages: Page[] }> {
  const pages: Page[] = [];
  let cursor = after;
  for (;;) {
    const p = await page(first, cursor);
    pages.push(p);
    cursor = p.pageInfo.endCursor;
    if (!p.pageInfo.hasNextPage) return { changes: pages.flatMap((x) => x.edges.map((e) => e.node)), cursor, pages };
  }
}

describe('appointmentChanges', () => {
  it('pages through the changes made in the calendar, in order, without skipping or repeating one, also while changes arrive', async () => {
    const empty = await page(10, null);
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });

    const eventIds = ['One', 'Two', 'Three', 'Four', 'Five'].map((subject) => createAtProvider(u, subject));
    await syncNowToEnd(t, u);

    // Read the first page, then more changes arrive before the reader continues.
    const first = await page(2, null);
    expect(first.edges.map((e) => e.node.kind)).toEqual(['CREATED', 'CREATED']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, endCursor: first.edges[1]!.cursor });
    renameAtProvider(t, u, eventIds[0]!, 'One (renamed)');
    deleteAtProvider(t, u, eventIds[1]!);
    await syncNowToEnd(t, u);

    const rest = await readAll(first.pageInfo.endCursor);
    const all = [...first.edges.map((e) => e.node), ...rest.changes];
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    expect(all.slice(0, 5).map((c) => c.kind)).toEqual(['CREATED', 'CREATED', 'CREATED', 'CREATED', 'CREATED']);
    // The second run applied both; the feed holds them in the order the run applied them.
    const renamed = all.slice(5).find((c) => c.kind === 'UPDATED');
    const deleted = all.slice(5).find((c) => c.kind === 'DELETED');
    expect(all).toHaveLength(7);
    expect(new Set(all.slice(0, 5).map((c) => c.appointmentId)).size).toBe(5);
    expect(all.every((c) => c.provider === 'GOOGLE' && c.connectionId === u.connectionId && c.userId === u.userId && c.appointment.origin === 'GOOGLE')).toBe(true);
    // `appointment` is the appointment as it is when read.
    expect(renamed).toMatchObject({ appointment: { subject: 'One (renamed)', deleted: false } });
    expect(deleted).toMatchObject({ appointment: { subject: 'Two', deleted: true } });
    expect(all.slice(0, 5).map((c) => c.appointmentId)).toEqual(expect.arrayContaining([renamed!.appointmentId, deleted!.appointmentId]));

    // At the end: an empty page keeps the cursor, and a reader resuming from it sees only later changes.
    const atEnd = await page(10, rest.cursor);
    expect(atEnd).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: rest.cursor } });
    renameAtProvider(t, u, eventIds[2]!, 'Three (renamed)');
    await syncNowToEnd(t, u);
    const later = await readAll(rest.cursor);
    expect(later.changes.map((c) => [c.kind, c.appointment.subject])).toEqual([['UPDATED', 'Three (renamed)']]);

    // Reading everything again from the start gives the same sequence, with the same cursors.
    const again = await readAll(null, 3);
    expect(again.changes.map((c) => c.id)).toEqual([...all, ...later.changes].map((c) => c.id));
    expect(again.pages.at(-1)!.pageInfo.endCursor).toBe(later.cursor);
  });

  it('changes the host made itself are not in the feed', async () => {
    const before = await readAll(null, 100);
    const saved = await t.gql(UpsertAppointmentDocument, { input: { hostAppointmentId: 'host-made', userId: u.userId, subject: 'Host', startDate: '2031-01-01', endDate: '2031-01-02' } }, u.key);
    expect(saved.data?.upsertAppointment.created).toBe(true);
    await syncNowToEnd(t, u);
    expect((await readAll(before.cursor)).changes).toEqual([]);
  });
});
