import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { escapeHtml as esc } from '../core/html.js';
import type { CalendarService, EventInstance } from './calendar-service.js';
import { htmlToText } from './graph-event-view.js';
import { GraphError } from './graph-errors.js';
import { resolveZone } from './graph-time.js';
import type { AccountRecord, MicrosoftState } from './microsoft-state.js';

/**
 * The sandbox page where a person plays the Outlook side of one account: list calendars and
 * events, create, edit and delete events with plain forms. Every change goes through
 * `CalendarService`, so it syncs exactly like a change made through Graph.
 *
 * Routes: `GET /sandbox` (accounts), `GET /sandbox/:account?calendar=<id>`,
 * `POST /sandbox/:account/events` (create), `GET|POST /sandbox/:account/events/:eventId` (edit),
 * `POST /sandbox/:account/events/:eventId/delete`. Form fields: calendarId, subject, body,
 * location, start and end (`YYYY-MM-DDTHH:mm`, or dates when all-day), timeZone, isAllDay (`on`),
 * recurrence (`none|daily|weekly|absoluteMonthly`), occurrences.
 */

const STYLE = `body{font-family:system-ui,Segoe UI,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}form.inline{display:inline}label{display:inline-block;min-width:110px}fieldset{max-width:560px}.error{color:#a00;font-weight:600}nav a{margin-right:12px}`;
const ZONES = ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'W. Europe Standard Time', 'Pacific Standard Time', 'Eastern Standard Time'];

function page(title: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${content}</body></html>`;
}

interface SandboxForm {
  calendarId?: string;
  subject?: string;
  body?: string;
  location?: string;
  start?: string;
  end?: string;
  timeZone?: string;
  isAllDay?: string;
  recurrence?: string;
  occurrences?: string;
}

/** Turns the form into a Graph event body (the same validation as the API applies afterwards). */
export function eventFromForm(form: SandboxForm, forCreate: boolean): Record<string, unknown> {
  const zone = form.timeZone?.trim() || 'UTC';
  const allDay = form.isAllDay === 'on' || form.isAllDay === 'true';
  const out: Record<string, unknown> = {};
  if (form.subject !== undefined) out.subject = form.subject;
  if (form.body !== undefined) out.body = { contentType: 'text', content: form.body };
  if (form.location !== undefined) out.location = { displayName: form.location };
  out.isAllDay = allDay;
  const toDateTime = (v: string | undefined) => {
    if (!v) return undefined;
    return allDay ? `${v.slice(0, 10)}T00:00:00` : v.length === 16 ? `${v}:00` : v;
  };
  const start = toDateTime(form.start);
  let end = toDateTime(form.end);
  if (start && allDay && (!end || end <= start)) end = `${DateTime.fromISO(start.slice(0, 10)).plus({ days: 1 }).toISODate()}T00:00:00`;
  if (start && !allDay && !end) end = DateTime.fromISO(start).plus({ hours: 1 }).toFormat("yyyy-LL-dd'T'HH:mm:ss");
  if (start) out.start = { dateTime: start, timeZone: zone };
  if (end) out.end = { dateTime: end, timeZone: zone };
  const rec = form.recurrence ?? 'none';
  if (start && rec !== 'none') {
    const startDate = start.slice(0, 10);
    const dt = DateTime.fromISO(startDate);
    const count = Number(form.occurrences ?? '');
    const range = Number.isInteger(count) && count > 0 ? { type: 'numbered', startDate, numberOfOccurrences: count } : { type: 'noEnd', startDate };
    const day = dt.setLocale('en').toFormat('cccc').toLowerCase();
    const pattern =
      rec === 'daily'
        ? { type: 'daily', interval: 1 }
        : rec === 'weekly'
          ? { type: 'weekly', interval: 1, daysOfWeek: [day], firstDayOfWeek: 'monday' }
          : { type: 'absoluteMonthly', interval: 1, dayOfMonth: dt.day };
    out.recurrence = { pattern, range };
  } else if (!forCreate && rec === 'none') {
    out.recurrence = null;
  }
  return out;
}

export function registerSandboxRoutes(app: FastifyInstance, deps: { state: MicrosoftState; calendar: CalendarService; now: () => number }): void {
  const { state, calendar } = deps;
  const config = { config: { routeId: 'sandbox' } };

  const account = (key: string): AccountRecord | undefined => {
    const k = key.toLowerCase();
    return Object.values(state.accounts).find((a) => a.id.toLowerCase() === k || a.email.toLowerCase() === k);
  };

  const when = (inst: EventInstance): string => {
    const zone = resolveZone(inst.props.start.timeZone) ?? 'UTC';
    if (inst.props.isAllDay) return `${inst.props.start.dateTime.slice(0, 10)} (all day)`;
    const s = DateTime.fromMillis(inst.startMs, { zone });
    const e = DateTime.fromMillis(inst.endMs, { zone });
    return `${s.toFormat('yyyy-LL-dd HH:mm')} – ${e.toFormat('HH:mm')} ${esc(inst.props.start.timeZone)}`;
  };

  const form = (a: AccountRecord, action: string, calendarId: string, inst?: EventInstance) => {
    const p = inst?.props;
    const zone = p ? (resolveZone(p.start.timeZone) ?? 'UTC') : 'UTC';
    const local = (ms: number | undefined, fallback: string) => (ms === undefined ? fallback : DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd'T'HH:mm"));
    const defaultStart = DateTime.fromMillis(deps.now(), { zone: 'UTC' }).plus({ days: 1 }).set({ hour: 9, minute: 0 });
    const rec = inst?.master.recurrence?.pattern.type ?? 'none';
    const calendars = calendar
      .calendars(a.id)
      .filter((c) => c.canEdit)
      .map((c) => `<option value="${esc(c.id)}"${c.id === calendarId ? ' selected' : ''}>${esc(c.name)}</option>`)
      .join('');
    return `<form method="post" action="${esc(action)}"><fieldset>
<legend>${inst ? 'Edit event' : 'New event'}</legend>
${inst ? `<input type="hidden" name="calendarId" value="${esc(calendarId)}">` : `<label for="calendarId">Calendar</label><select id="calendarId" name="calendarId">${calendars}</select><br>`}
<label for="subject">Subject</label><input id="subject" name="subject" value="${esc(p?.subject ?? '')}" size="40"><br>
<label for="start">Start</label><input id="start" name="start" type="datetime-local" value="${local(inst?.startMs, defaultStart.toFormat("yyyy-LL-dd'T'HH:mm"))}"><br>
<label for="end">End</label><input id="end" name="end" type="datetime-local" value="${local(inst?.endMs, defaultStart.plus({ hours: 1 }).toFormat("yyyy-LL-dd'T'HH:mm"))}"><br>
<label for="timeZone">Time zone</label><input id="timeZone" name="timeZone" list="zones" value="${esc(p?.start.timeZone ?? 'UTC')}"><datalist id="zones">${ZONES.map((z) => `<option value="${esc(z)}">`).join('')}</datalist><br>
<label for="isAllDay">All day</label><input id="isAllDay" name="isAllDay" type="checkbox"${p?.isAllDay ? ' checked' : ''}><br>
<label for="location">Location</label><input id="location" name="location" value="${esc(String(p?.location.displayName ?? ''))}"><br>
<label for="body">Notes</label><textarea id="body" name="body" rows="3" cols="40">${esc(p ? (p.body.contentType === 'html' ? htmlToText(p.body.content) : p.body.content) : '')}</textarea><br>
${inst && inst.kind !== 'seriesMaster' && inst.kind !== 'singleInstance' ? '' : `<label for="recurrence">Repeat</label><select id="recurrence" name="recurrence">${['none', 'daily', 'weekly', 'absoluteMonthly'].map((r) => `<option value="${r}"${r === rec ? ' selected' : ''}>${r === 'absoluteMonthly' ? 'monthly' : r}</option>`).join('')}</select>
<label for="occurrences">Occurrences</label><input id="occurrences" name="occurrences" type="number" min="1" value="${inst?.master.recurrence?.range.numberOfOccurrences || ''}"><br>`}
<button type="submit">${inst ? 'Save' : 'Create'}</button>
</fieldset></form>`;
  };

  const accountPage = (a: AccountRecord, calendarId: string | null, error?: string) => {
    const cals = calendar.calendars(a.id);
    const cal = cals.find((c) => c.id === calendarId) ?? cals.find((c) => c.isDefault);
    if (!cal) return page(a.displayName, `<h1>${esc(a.displayName)}</h1><p>This account has no Exchange mailbox, so it has no calendars.</p><p><a href="/sandbox">All accounts</a></p>`);
    const base = `/sandbox/${encodeURIComponent(a.id)}`;
    const nav = cals.map((c) => (c.id === cal.id ? `<strong>${esc(c.name)}</strong>` : `<a href="${base}?calendar=${encodeURIComponent(c.id)}">${esc(c.name)}</a>`)).join(' ');
    const masters = calendar.listMasters(a.id, cal.id).sort((x, y) => x.startMs - y.startMs);
    const rows = masters
      .map((m) => {
        const actions = cal.canEdit
          ? `<a href="${base}/events/${encodeURIComponent(m.id)}">Edit</a> <form class="inline" method="post" action="${base}/events/${encodeURIComponent(m.id)}/delete"><button type="submit">Delete</button></form>`
          : '';
        return `<tr><td>${esc(m.props.subject || '(no subject)')}</td><td>${when(m)}</td><td>${m.kind === 'seriesMaster' ? esc(m.master.recurrence!.pattern.type) : ''}</td><td>${actions}</td></tr>`;
      })
      .join('');
    const from = deps.now() - 86_400_000;
    const upcoming = calendar
      .instancesInWindow(a.id, cal.id, from, from + 31 * 86_400_000)
      .sort((x, y) => x.startMs - y.startMs)
      .slice(0, 50)
      .map((i) => {
        const actions = cal.canEdit && i.kind !== 'singleInstance'
          ? `<a href="${base}/events/${encodeURIComponent(i.id)}">Edit occurrence</a> <form class="inline" method="post" action="${base}/events/${encodeURIComponent(i.id)}/delete"><button type="submit">Cancel occurrence</button></form>`
          : '';
        return `<tr><td>${esc(i.props.subject || '(no subject)')}</td><td>${when(i)}</td><td>${i.kind}</td><td>${actions}</td></tr>`;
      })
      .join('');
    return page(
      `${a.displayName} — sandbox`,
      `<h1>${esc(a.displayName)} &lt;${esc(a.email)}&gt;</h1>
<p><a href="/sandbox">All accounts</a> · ${a.kind === 'personal' ? 'personal Microsoft account' : 'work account'}</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<nav>Calendars: ${nav}</nav>
<h2>Events in ${esc(cal.name)}${cal.canEdit ? '' : ' (read-only)'}</h2>
<table id="events"><thead><tr><th>Subject</th><th>When</th><th>Repeats</th><th></th></tr></thead><tbody>${rows || '<tr><td colspan="4">No events.</td></tr>'}</tbody></table>
<h2>Next 30 days</h2>
<table id="instances"><thead><tr><th>Subject</th><th>When</th><th>Type</th><th></th></tr></thead><tbody>${upcoming || '<tr><td colspan="4">Nothing scheduled.</td></tr>'}</tbody></table>
${cal.canEdit ? form(a, `${base}/events`, cal.id) : ''}`,
    );
  };

  const notFound = (reply: FastifyReply) => reply.code(404).type('text/html; charset=utf-8').send(page('Not found', '<h1>No such account</h1><p><a href="/sandbox">All accounts</a></p>'));
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

  app.get('/sandbox', config, async (_request, reply) => {
    const items = Object.values(state.accounts)
      .map((a) => `<li><a href="/sandbox/${encodeURIComponent(a.id)}">${esc(a.displayName)}</a> &lt;${esc(a.email)}&gt; — ${a.kind}${a.mailboxEnabled ? '' : ', no mailbox'}</li>`)
      .join('');
    return html(reply, 200, page('Microsoft sandbox', `<h1>Microsoft 365 sandbox accounts</h1><ul>${items}</ul>`));
  });

  app.get('/sandbox/:account', config, async (request, reply) => {
    const a = account((request.params as { account: string }).account);
    if (!a) return notFound(reply);
    return html(reply, 200, accountPage(a, (request.query as { calendar?: string }).calendar ?? null));
  });

  const guarded = async (reply: FastifyReply, a: AccountRecord, calendarId: string | null, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof GraphError) return html(reply, e.status >= 500 ? 500 : 400, accountPage(a, calendarId, `${e.code}: ${e.message}`));
      throw e;
    }
    return reply.redirect(`/sandbox/${encodeURIComponent(a.id)}${calendarId ? `?calendar=${encodeURIComponent(calendarId)}` : ''}`, 303);
  };

  app.post('/sandbox/:account/events', config, async (request, reply) => {
    const a = account((request.params as { account: string }).account);
    if (!a) return notFound(reply);
    const f = (request.body ?? {}) as SandboxForm;
    const calendarId = f.calendarId || null;
    return guarded(reply, a, calendarId, () => calendar.createEvent(a.id, calendarId, eventFromForm(f, true)));
  });

  app.get('/sandbox/:account/events/:eventId', config, async (request, reply) => {
    const { account: key, eventId } = request.params as { account: string; eventId: string };
    const a = account(key);
    if (!a) return notFound(reply);
    try {
      const inst = calendar.getInstance(a.id, eventId);
      const base = `/sandbox/${encodeURIComponent(a.id)}`;
      return html(reply, 200, page('Edit event', `<p><a href="${base}?calendar=${encodeURIComponent(inst.master.calendarId)}">Back</a></p>${form(a, `${base}/events/${encodeURIComponent(inst.id)}`, inst.master.calendarId, inst)}`));
    } catch (e) {
      if (e instanceof GraphError) return html(reply, 404, accountPage(a, null, `${e.code}: ${e.message}`));
      throw e;
    }
  });

  app.post('/sandbox/:account/events/:eventId', config, async (request, reply) => {
    const { account: key, eventId } = request.params as { account: string; eventId: string };
    const a = account(key);
    if (!a) return notFound(reply);
    const f = (request.body ?? {}) as SandboxForm;
    const patch = eventFromForm(f, false);
    if (eventId.indexOf('=') !== eventId.length - 1) delete patch.recurrence;
    return guarded(reply, a, f.calendarId || null, () => calendar.updateEvent(a.id, eventId, patch));
  });

  app.post('/sandbox/:account/events/:eventId/delete', config, async (request, reply) => {
    const { account: key, eventId } = request.params as { account: string; eventId: string };
    const a = account(key);
    if (!a) return notFound(reply);
    let calendarId: string | null = null;
    try {
      calendarId = calendar.getInstance(a.id, eventId).master.calendarId;
    } catch {
      calendarId = null;
    }
    return guarded(reply, a, calendarId, () => calendar.deleteEvent(a.id, eventId));
  });
}
