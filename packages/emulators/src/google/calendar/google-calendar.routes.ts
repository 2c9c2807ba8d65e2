import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { calendarErrors } from '../google-api.errors.js';
import { bearerToken, header } from '../google-http.js';
import { SCOPES_FOR } from '../oauth/google-scopes.js';
import { isValidZone } from '../recurrence/zoned-time.js';
import type { GoogleOAuthService } from '../oauth/google-oauth.service.js';
import type { GoogleCalendarListService } from './google-calendar-list.service.js';
import type { GoogleEventsService } from './google-events.service.js';
import type { GooglePushService } from './google-push.service.js';

/**
 * Calendar API v3 under `/calendar/v3` — where `calendar({ rootUrl })` of @googleapis/calendar
 * sends its requests once the origin is swapped. Every call needs a live Bearer token whose
 * scopes the method accepts (docs/providers.md#google-scopes).
 */

type Params = Record<string, string>;
type Query = Record<string, unknown>;

export interface CalendarRouteDeps {
  oauth: GoogleOAuthService;
  events: GoogleEventsService;
  calendarList: GoogleCalendarListService;
  push: GooglePushService;
}

export function registerCalendarRoutes(app: FastifyInstance, deps: CalendarRouteDeps): void {
  const { oauth, events, calendarList, push } = deps;

  /** The account behind the Bearer token, after checking the token accepts one of `scopes`. */
  const authorize = (request: FastifyRequest, scopes: readonly string[]): string => {
    const token = bearerToken(request);
    if (!token) throw calendarErrors.missingCredentials();
    const at = oauth.authenticate(token);
    if (!at) throw calendarErrors.invalidCredentials();
    if (!at.scopes.some((s) => scopes.includes(s))) throw calendarErrors.insufficientPermissions();
    return at.accountId;
  };

  const withEtag = (reply: FastifyReply, body: Record<string, unknown>) => {
    if (typeof body.etag === 'string') reply.header('etag', body.etag);
    return reply.send(body);
  };

  const route = (routeId: string) => ({ config: { routeId } });
  const base = '/calendar/v3';
  const events_ = `${base}/calendars/:calendarId/events`;

  app.get(`${base}/users/me/calendarList`, route('google.calendarList.list'), async (request) => {
    const accountId = authorize(request, SCOPES_FOR.calendarListRead);
    return calendarList.listEntries(accountId, request.query as Query);
  });

  app.get(`${base}/users/me/calendarList/:calendarId`, route('google.calendarList.get'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.calendarListRead);
    return withEtag(reply, calendarList.getEntry(accountId, (request.params as Params).calendarId ?? ''));
  });

  app.get(`${base}/calendars/:calendarId`, route('google.calendars.get'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.calendarRead);
    return withEtag(reply, calendarList.getCalendar(accountId, (request.params as Params).calendarId ?? ''));
  });

  app.get(events_, route('google.events.list'), async (request) => {
    const accountId = authorize(request, SCOPES_FOR.eventsRead);
    return events.listEvents(accountId, (request.params as Params).calendarId ?? '', request.query as Query);
  });

  app.post(events_, route('google.events.insert'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.eventsWrite);
    const q = request.query as Query;
    // Insert answers 200, not 201 (https://developers.google.com/workspace/calendar/api/v3/reference/events/insert).
    return withEtag(reply.code(200), events.insertEvent(accountId, (request.params as Params).calendarId ?? '', request.body, timeZoneOf(q)));
  });

  app.post(`${events_}/watch`, route('google.events.watch'), async (request) => {
    const accountId = authorize(request, SCOPES_FOR.eventsRead);
    return push.watchEvents(accountId, (request.params as Params).calendarId ?? '', request.body, request.query as Query);
  });

  app.get(`${events_}/:eventId`, route('google.events.get'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.eventsRead);
    const p = request.params as Params;
    const q = request.query as Query;
    const maxAttendees = q.maxAttendees !== undefined ? Number(q.maxAttendees) : undefined;
    const result = events.getEvent(accountId, p.calendarId ?? '', p.eventId ?? '', {
      ...timeZoneOf(q),
      ...(maxAttendees !== undefined && Number.isInteger(maxAttendees) && maxAttendees > 0 ? { maxAttendees } : {}),
      ...(header(request, 'if-none-match') ? { ifNoneMatch: header(request, 'if-none-match') } : {}),
    });
    if ('notModified' in result) return reply.code(304).header('etag', result.etag).send();
    return withEtag(reply, result);
  });

  app.put(`${events_}/:eventId`, route('google.events.update'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.eventsWrite);
    const p = request.params as Params;
    return withEtag(reply, events.updateEvent(accountId, p.calendarId ?? '', p.eventId ?? '', request.body, writeOpts(request)));
  });

  app.patch(`${events_}/:eventId`, route('google.events.patch'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.eventsWrite);
    const p = request.params as Params;
    return withEtag(reply, events.patchEvent(accountId, p.calendarId ?? '', p.eventId ?? '', request.body, writeOpts(request)));
  });

  app.delete(`${events_}/:eventId`, route('google.events.delete'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.eventsWrite);
    const p = request.params as Params;
    events.deleteEvent(accountId, p.calendarId ?? '', p.eventId ?? '', writeOpts(request));
    return reply.code(204).send();
  });

  app.get(`${events_}/:eventId/instances`, route('google.events.instances'), async (request) => {
    const accountId = authorize(request, SCOPES_FOR.eventsRead);
    const p = request.params as Params;
    return events.listInstances(accountId, p.calendarId ?? '', p.eventId ?? '', request.query as Query);
  });

  app.post(`${base}/channels/stop`, route('google.channels.stop'), async (request, reply) => {
    const accountId = authorize(request, SCOPES_FOR.anyCalendar);
    push.stopChannel(accountId, request.body);
    return reply.code(204).send();
  });

  app.post(`${base}/freeBusy`, route('google.freebusy.query'), async (request) => {
    const accountId = authorize(request, SCOPES_FOR.freeBusy);
    return events.freeBusy(accountId, request.body);
  });
}

function timeZoneOf(q: Query): { timeZone?: string } {
  if (typeof q.timeZone !== 'string' || !q.timeZone) return {};
  if (!isValidZone(q.timeZone)) throw calendarErrors.invalid('Invalid time zone definition.', 'timeZone');
  return { timeZone: q.timeZone };
}

function writeOpts(request: FastifyRequest): { ifMatch?: string; timeZone?: string } {
  const ifMatch = header(request, 'if-match');
  return { ...(ifMatch ? { ifMatch } : {}), ...timeZoneOf(request.query as Query) };
}
