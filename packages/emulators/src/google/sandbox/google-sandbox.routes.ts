import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { escapeHtml } from '../../core/html.js';
import { isCalendarApiError } from '../google-api.errors.js';
import type { GoogleContext } from '../google-context.js';
import { formFields } from '../google-http.js';
import type { GoogleEventsService } from '../calendar/google-events.service.js';
import { isValidZone } from '../recurrence/zoned-time.js';

/**
 * The sandbox page: a person plays "the other side" of a Google account — lists its calendars and
 * events, creates, edits and deletes events with plain HTML forms. Every change goes through the
 * same events service as the API, so the hub sees it through sync tokens and push like a real one.
 * Routes carry `control.*` ids: a person's clicks are neither faulted nor counted as API calls.
 *
 * Forms (for tests driving them with fetch): `POST /sandbox/<accountId>/events` with fields
 * `calendarId`, `summary`, `description`, `location`, `start`, `end` (`YYYY-MM-DDTHH:MM` wall-clock
 * time in `timeZone`, or `YYYY-MM-DD` with `allDay=on`), `timeZone`, `recurrence` (one RRULE line,
 * optional); `POST …/events/update` (same fields plus `eventId`); `POST …/events/delete`
 * (`calendarId`, `eventId`). Each answers 303 back to the page, or 400 with the error shown.
 */

/** Form values and stored event fields may be absent or not strings: shown as text, absent as empty. */
const esc = (value: unknown) => escapeHtml(String(value ?? ''));

type Json = Record<string, unknown>;

export function sandboxPath(accountId: string): string {
  return `/sandbox/${encodeURIComponent(accountId)}`;
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#202124}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}
fieldset{margin:1rem 0}label{display:block;margin:.3rem 0}.err{color:#b00020}.muted{color:#5f6368}</style></head><body>${body}</body></html>`;
}

function timeText(t: Json | undefined): string {
  if (!t) return '';
  if (typeof t.date === 'string') return `${t.date} (all day)`;
  return `${String(t.dateTime ?? '')}${t.timeZone ? ` ${String(t.timeZone)}` : ''}`;
}

/** Builds an event body from the sandbox form fields. */
function eventFromForm(f: Record<string, string | undefined>, fallbackZone: string): Json {
  const zone = f.timeZone && isValidZone(f.timeZone) ? f.timeZone : fallbackZone;
  const allDay = f.allDay === 'on' || f.allDay === 'true';
  const time = (v: string | undefined) => {
    if (!v) return undefined;
    if (allDay) return { date: v.slice(0, 10) };
    return { dateTime: v.length === 16 ? `${v}:00` : v, timeZone: zone };
  };
  const recurrence = f.recurrence?.trim();
  return {
    summary: f.summary ?? '',
    ...(f.description ? { description: f.description } : {}),
    ...(f.location ? { location: f.location } : {}),
    start: time(f.start),
    end: time(f.end),
    ...(recurrence ? { recurrence: [recurrence.toUpperCase().startsWith('RRULE:') ? recurrence : `RRULE:${recurrence}`] } : {}),
  };
}

export function registerSandboxRoutes(app: FastifyInstance, ctx: GoogleContext, events: GoogleEventsService): void {
  const route = (id: string) => ({ config: { routeId: `control.sandbox.${id}` } });

  const renderAccount = (accountId: string, calendarParam: string | undefined, error?: string, form?: Record<string, string | undefined>): string | null => {
    const account = ctx.state.accounts[accountId];
    if (!account) return null;
    const entries = Object.values(ctx.state.calendarList).filter((e) => e.accountId === accountId && !e.deleted);
    const calendarId = calendarParam && entries.some((e) => e.calendarId === calendarParam) ? calendarParam : account.email;
    const writable = entries.filter((e) => e.accessRole === 'owner' || e.accessRole === 'writer');
    const list = events.listEvents(accountId, calendarId, { maxResults: '2500' }) as { items: Json[]; timeZone: string };
    const rows = list.items
      .map((ev) => {
        const id = String(ev.id);
        const edit = `${sandboxPath(accountId)}/events/edit?calendarId=${encodeURIComponent(calendarId)}&eventId=${encodeURIComponent(id)}`;
        return `<tr><td><a href="${esc(edit)}">${esc(ev.summary || '(no title)')}</a>${ev.eventType && ev.eventType !== 'default' ? ` <span class="muted">[${esc(ev.eventType)}]</span>` : ''}</td>
<td>${esc(timeText(ev.start as Json))}</td><td>${esc(timeText(ev.end as Json))}</td><td>${esc(((ev.recurrence as string[] | undefined) ?? []).join(' '))}${ev.recurringEventId ? '<span class="muted">exception</span>' : ''}</td><td class="muted">${esc(id)}</td></tr>`;
      })
      .join('');
    const calLinks = entries
      .map((e) => {
        const cal = ctx.state.calendars[e.calendarId];
        const label = `${cal?.summary ?? e.calendarId} (${e.accessRole})`;
        return e.calendarId === calendarId ? `<li><strong>${esc(label)}</strong></li>` : `<li><a href="${esc(`${sandboxPath(accountId)}?calendarId=${encodeURIComponent(e.calendarId)}`)}">${esc(label)}</a></li>`;
      })
      .join('');
    const f = form ?? {};
    const zone = ctx.state.calendars[calendarId]?.timeZone ?? account.timeZone;
    return layout(
      `Sandbox Google – ${account.email}`,
      `<h1>Sandbox Google Calendar</h1><p>${esc(account.displayName)} &lt;${esc(account.email)}&gt; · account id <code>${esc(account.id)}</code></p>
${error ? `<p class="err">${esc(error)}</p>` : ''}
<h2>Calendars</h2><ul>${calLinks}</ul>
<h2>Events in ${esc(ctx.state.calendars[calendarId]?.summary ?? calendarId)}</h2>
<table><thead><tr><th>Summary</th><th>Start</th><th>End</th><th>Recurrence</th><th>Id</th></tr></thead><tbody>${rows || '<tr><td colspan="5" class="muted">No events</td></tr>'}</tbody></table>
<form id="create-event" method="post" action="${esc(sandboxPath(accountId))}/events"><fieldset><legend>New event</legend>
<label>Calendar <select name="calendarId">${writable.map((e) => `<option value="${esc(e.calendarId)}"${e.calendarId === calendarId ? ' selected' : ''}>${esc(ctx.state.calendars[e.calendarId]?.summary ?? e.calendarId)}</option>`).join('')}</select></label>
<label>Summary <input name="summary" value="${esc(f.summary)}"></label>
<label>Start <input name="start" type="datetime-local" value="${esc(f.start)}"></label>
<label>End <input name="end" type="datetime-local" value="${esc(f.end)}"></label>
<label>Time zone <input name="timeZone" value="${esc(f.timeZone ?? zone)}"></label>
<label><input type="checkbox" name="allDay"> All day (use dates)</label>
<label>Location <input name="location" value="${esc(f.location)}"></label>
<label>Description <textarea name="description">${esc(f.description)}</textarea></label>
<label>Recurrence (RRULE, optional) <input name="recurrence" placeholder="FREQ=WEEKLY;BYDAY=MO" value="${esc(f.recurrence)}"></label>
<button type="submit">Create</button></fieldset></form>`,
    );
  };

  const back = (reply: FastifyReply, accountId: string, calendarId: string | undefined) =>
    reply.redirect(`${sandboxPath(accountId)}${calendarId ? `?calendarId=${encodeURIComponent(calendarId)}` : ''}`, 303);

  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

  app.get('/sandbox', route('index'), async (_request, reply) => {
    const items = Object.values(ctx.state.accounts)
      .map((a) => `<li><a href="${esc(sandboxPath(a.id))}">${esc(a.displayName)} &lt;${esc(a.email)}&gt;</a></li>`)
      .join('');
    return html(reply, 200, layout('Sandbox Google accounts', `<h1>Sandbox Google accounts</h1><ul>${items || '<li>No accounts</li>'}</ul>`));
  });

  app.get('/sandbox/:accountId', route('account'), async (request, reply) => {
    const { accountId } = request.params as { accountId: string };
    const page = renderAccount(accountId, formFields(request.query).calendarId);
    return page ? html(reply, 200, page) : html(reply, 404, layout('Not found', '<h1>No such account</h1>'));
  });

  const mutate = (action: 'create' | 'update' | 'delete') => async (request: import('fastify').FastifyRequest, reply: FastifyReply) => {
    const { accountId } = request.params as { accountId: string };
    const f = formFields(request.body);
    const account = ctx.state.accounts[accountId];
    if (!account) return html(reply, 404, layout('Not found', '<h1>No such account</h1>'));
    const calendarId = f.calendarId || account.email;
    try {
      const zone = ctx.state.calendars[calendarId]?.timeZone ?? account.timeZone;
      if (action === 'create') events.insertEvent(accountId, calendarId, eventFromForm(f, zone));
      else if (action === 'update') events.patchEvent(accountId, calendarId, f.eventId ?? '', eventFromForm(f, zone));
      else events.deleteEvent(accountId, calendarId, f.eventId ?? '');
      return back(reply, accountId, calendarId);
    } catch (e) {
      if (!isCalendarApiError(e)) throw e;
      return html(reply, 400, renderAccount(accountId, calendarId, `${e.item.reason}: ${e.message}`, f) ?? '');
    }
  };
  app.post('/sandbox/:accountId/events', route('create'), mutate('create'));
  app.post('/sandbox/:accountId/events/update', route('update'), mutate('update'));
  app.post('/sandbox/:accountId/events/delete', route('delete'), mutate('delete'));

  app.get('/sandbox/:accountId/events/edit', route('edit'), async (request, reply) => {
    const { accountId } = request.params as { accountId: string };
    const q = formFields(request.query);
    const account = ctx.state.accounts[accountId];
    if (!account) return html(reply, 404, layout('Not found', '<h1>No such account</h1>'));
    const calendarId = q.calendarId || account.email;
    let ev: Json;
    try {
      const found = events.getEvent(accountId, calendarId, q.eventId ?? '');
      if ('notModified' in found) throw new Error('unreachable');
      ev = found;
    } catch (e) {
      if (!isCalendarApiError(e)) throw e;
      return html(reply, 404, layout('Not found', `<h1>Event not found</h1><p><a href="${esc(sandboxPath(accountId))}">Back</a></p>`));
    }
    const start = ev.start as Json;
    const end = ev.end as Json;
    const allDay = typeof start.date === 'string';
    const zone = (start.timeZone as string | undefined) ?? ctx.state.calendars[calendarId]?.timeZone ?? 'UTC';
    const local = (t: Json) => (typeof t.date === 'string' ? t.date : DateTime.fromISO(String(t.dateTime)).setZone(zone).toFormat("yyyy-LL-dd'T'HH:mm"));
    const hidden = `<input type="hidden" name="calendarId" value="${esc(calendarId)}"><input type="hidden" name="eventId" value="${esc(ev.id)}">`;
    return html(
      reply,
      200,
      layout(
        `Edit ${String(ev.summary ?? '')}`,
        `<h1>Edit event</h1><p class="muted">${esc(ev.id)} · ${esc(ev.status)}</p>
<form id="update-event" method="post" action="${esc(sandboxPath(accountId))}/events/update">${hidden}
<label>Summary <input name="summary" value="${esc(ev.summary)}"></label>
<label>Start <input name="start" type="${allDay ? 'date' : 'datetime-local'}" value="${esc(local(start))}"></label>
<label>End <input name="end" type="${allDay ? 'date' : 'datetime-local'}" value="${esc(local(end))}"></label>
<label>Time zone <input name="timeZone" value="${esc(zone)}"></label>
${allDay ? '<input type="hidden" name="allDay" value="on">' : ''}
<label>Location <input name="location" value="${esc(ev.location)}"></label>
<label>Description <textarea name="description">${esc(ev.description)}</textarea></label>
<button type="submit">Save</button></form>
<form id="delete-event" method="post" action="${esc(sandboxPath(accountId))}/events/delete">${hidden}<button type="submit">Delete</button></form>
<p><a href="${esc(`${sandboxPath(accountId)}?calendarId=${encodeURIComponent(calendarId)}`)}">Back</a></p>`,
      ),
    );
  });

  /** `htmlLink` of events points here; it opens the event on the owner's sandbox page. */
  app.get('/calendar/event', route('event-link'), async (request, reply) => {
    const eid = formFields(request.query).eid ?? '';
    const [eventId = '', calendarId = ''] = Buffer.from(eid, 'base64url').toString('utf8').split(' ');
    const cal = ctx.state.calendars[calendarId];
    const owner = cal?.ownerAccountId ?? Object.values(ctx.state.calendarList).find((e) => e.calendarId === calendarId)?.accountId;
    if (!owner) return html(reply, 404, layout('Not found', '<h1>Event not found</h1>'));
    return reply.redirect(`${sandboxPath(owner)}/events/edit?calendarId=${encodeURIComponent(calendarId)}&eventId=${encodeURIComponent(eventId)}`, 302);
  });
}
