import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, calendarClient, SCOPES, startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';

/**
 * The Google emulator checked against the Calendar API v3 as documented (events resource, error
 * guide), and its control API against the contract both emulators document (docs/providers.md).
 */

let env: GoogleTestEnv;
const NAMELESS = 'nameless@example.com';
const NAMED = 'named@example.com';
const hour = (h: number) => ({ dateTime: `2031-03-03T${String(h).padStart(2, '0')}:00:00Z`, timeZone: 'UTC' });

beforeAll(async () => {
  env = await startGoogleTestEmulator({ seed: false });
  env.google.control.createAccount({ email: NAMELESS });
  env.google.control.createAccount({ email: NAMED, displayName: 'Nora Named' });
});
afterAll(async () => env?.close());

const calendarOf = async (email: string): Promise<calendar_v3.Calendar> => calendarClient(env, (await authorize(env, { email, scopes: [SCOPES.calendar] })).client);

describe('Google events as documented', () => {
  // https://developers.google.com/workspace/calendar/api/v3/reference/events — creator.displayName /
  // organizer.displayName: "The creator's name, if available." An account without a name gets none.
  it('names the creator and organizer only for an account that has a name', async () => {
    const nameless = await calendarOf(NAMELESS);
    const plain = (await nameless.events.insert({ calendarId: 'primary', requestBody: { summary: 'No name', start: hour(9), end: hour(10) } })).data;
    expect(plain.creator).toEqual({ email: NAMELESS, self: true });
    expect(plain.organizer).toEqual({ email: NAMELESS, self: true });
    expect((await nameless.events.get({ calendarId: 'primary', eventId: plain.id! })).data.creator).toEqual({ email: NAMELESS, self: true });

    const named = await calendarOf(NAMED);
    const event = (await named.events.insert({ calendarId: 'primary', requestBody: { summary: 'Named', start: hour(9), end: hour(10) } })).data;
    expect(event.creator).toEqual({ email: NAMED, displayName: 'Nora Named', self: true });
    expect(event.organizer).toEqual({ email: NAMED, displayName: 'Nora Named', self: true });

    // On a secondary calendar the organizer is the calendar itself, named by its summary.
    const secondary = (await nameless.calendarList.list()).data.items!.find((c) => !c.primary)!;
    const onSecondary = (await nameless.events.insert({ calendarId: secondary.id!, requestBody: { summary: 'Team', start: hour(11), end: hour(12) } })).data;
    expect(onSecondary.creator).toEqual({ email: NAMELESS, self: true });
    expect(onSecondary.organizer).toEqual({ email: secondary.id, displayName: secondary.summary, self: true });
  });

  // https://developers.google.com/workspace/calendar/api/guides/errors — every documented body is
  // {"error":{"errors":[{domain,reason,message,…}],"code","message"}}: no `status`.
  it('answers errors with the documented body only', async () => {
    const { tokens } = await authorize(env, { email: NAMED, scopes: [SCOPES.calendar] });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${env.google.calendarRootUrl}calendar/v3${path}`, { ...init, headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json', ...init.headers } });
    const answers = [
      await api('/calendars/primary/events/unknown12345'),
      await api('/calendars/primary/events', { method: 'POST', body: JSON.stringify({ start: hour(10), end: hour(9) }) }),
      await api('/calendars/primary/events', { headers: { authorization: 'Bearer nope' } }),
    ];
    env.core.faults.add({ provider: 'google', route: 'google.events.list', action: { kind: 'status', status: 503 }, trigger: { mode: 'once' } });
    env.google.control.injectUsageLimit({ status: 429, route: 'google.events.list', trigger: { mode: 'once' } });
    answers.push(await api('/calendars/primary/events'), await api('/calendars/primary/events'));
    expect(answers.map((r) => r.status)).toEqual([404, 400, 401, 503, 429]);
    for (const res of answers) {
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'errors', 'message']);
      expect(body.error.code).toBe(res.status);
    }
  });
});

describe('Google control API', () => {
  // docs/providers.md: the control APIs of both emulators take an account by id or by email.
  it('takes an account by email wherever it takes an account id, in process and over HTTP', async () => {
    const { control } = env.google;
    const account = env.google.listAccounts().find((a) => a.email === NAMED)!;
    const upper = NAMED.toUpperCase();
    const made = control.createEvent(upper, NAMED, { summary: 'By email', start: hour(13), end: hour(14) });
    expect(control.getEvent(account.id, NAMED, made.id as string)).toMatchObject({ summary: 'By email' });
    expect(control.updateEvent(NAMED, NAMED, made.id as string, { summary: 'By email v2' })).toMatchObject({ summary: 'By email v2' });
    expect((control.listEvents(upper, NAMED).items as { id: string }[]).map((e) => e.id)).toContain(made.id);
    const extra = control.createCalendar(NAMED, { summary: 'Extra' });
    control.removeCalendar(upper, extra.id as string);
    expect(control.invalidateSyncTokens({ accountId: NAMED }).calendars).toBeGreaterThan(0);

    const base = `${env.google.origin}/_control/accounts/${encodeURIComponent(NAMED)}/calendars/${encodeURIComponent(NAMED)}/events`;
    const created = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ summary: 'Over HTTP', start: hour(15), end: hour(16) }) });
    expect(created.status).toBe(200);
    const id = ((await created.json()) as { id: string }).id;
    expect(((await (await fetch(`${base}/${id}`)).json()) as { summary: string }).summary).toBe('Over HTTP');
    expect((await fetch(`${base}/${id}`, { method: 'DELETE' })).status).toBe(204);

    await authorize(env, { email: NAMED, scopes: [SCOPES.calendar] });
    const revoked = await fetch(`${env.google.origin}/_control/grants/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId: upper }) });
    expect(((await revoked.json()) as { affected: number }).affected).toBeGreaterThan(0);
    expect(control.changePassword(NAMED)).toEqual({ affected: 0 });

    expect(() => control.createEvent('nobody@example.com', 'nobody@example.com', { start: hour(9), end: hour(10) })).toThrow();
  });

  // https://developers.google.com/workspace/calendar/api/v3/reference/events — an invitation in the
  // invitee's calendar names its organizer; the invitee's own entry is `self`, with its answer.
  it('places an invitation from another organizer, with the invitee\'s answer', async () => {
    const invitation = env.google.control.createEvent(
      NAMELESS,
      'primary',
      { summary: 'Invitation', start: hour(17), end: hour(18), attendees: [{ email: 'boss@example.com', responseStatus: 'accepted' }, { email: NAMELESS, responseStatus: 'tentative' }] },
      { invitedBy: 'boss@example.com' },
    );
    expect(invitation.organizer).toEqual({ email: 'boss@example.com' });
    const read = (await (await calendarOf(NAMELESS)).events.get({ calendarId: 'primary', eventId: invitation.id as string })).data;
    expect(read.attendees).toContainEqual({ email: NAMELESS, self: true, responseStatus: 'tentative' });
    expect(read.attendees?.some((a) => a.organizer)).toBe(false);
  });
});
