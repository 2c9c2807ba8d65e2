import { setTimeout as sleep } from 'node:timers/promises';
import type { EventData } from '../../domain/appointment.js';
import type { Logger } from '../../logger.js';
import {
  asProviderEventId,
  isProviderError,
  ProviderError,
  type BusyBlock,
  type CalendarProvider,
  type ChangePage,
  type CreateEventRequest,
  type DeleteEventRequest,
  type EventChange,
  type ExternalEvent,
  type ProviderCalendar,
  type ProviderCalendarId,
  type ProviderCursor,
  type ProviderEventId,
  type PushCapability,
  type PushChannel,
  type PushSubscribeRequest,
  type ReadChangesRequest,
  type TimeWindow,
  type UpdateEventRequest,
} from '../calendar-provider.js';
import type { BatchAnswer, GraphCall, GraphTransport } from './graph-transport.js';
import { parseRetryAfter } from '../retry-policy.js';
import { graphHttpError, parseGraphErrorBody } from './microsoft-graph.errors.js';
import {
  HUB_TAG_PROPERTY_ID,
  instantFromGraph,
  instantOfDateTimeTimeZone,
  kindOf,
  sameSeriesShape,
  showAsFromGraph,
  toExternalEvent,
  toGraphEventWrite,
  toProviderCalendar,
  transactionIdFor,
  type GraphWriteOptions,
} from './microsoft-graph.mapper.js';
import type { GraphCalendar, GraphCollection, GraphEvent, GraphEventWrite, GraphSubscription } from './microsoft-graph.types.js';

const enc = encodeURIComponent;
const DAY_MS = 86_400_000;
/** A full delta round covers the requested window widened by this much at the end (see `readChanges`). */
const DELTA_WINDOW_SLACK_DAYS = 7;
/** Outlook event subscriptions live at most 4230 minutes (docs/providers.md#graph-subscriptions); a minute is kept for clock skew. */
const MAX_SUBSCRIPTION_MS = (4230 - 1) * 60_000;

/** `$expand` that brings the hub's tag property along (docs/providers.md#graph-hub-tag). */
const EXPAND_TAG = `singleValueExtendedProperties($filter=id eq '${HUB_TAG_PROPERTY_ID}')`;
/**
 * Reads by id select what the mapper reads plus a master's `cancelledOccurrences`, which Graph
 * returns only on a `$select` GET by id (docs/providers.md#graph-recurrence): the series' EXDATEs.
 */
const SELECT_BY_ID = [
  'id', 'type', 'subject', 'body', 'start', 'end', 'isAllDay', 'originalStartTimeZone', 'location', 'attendees', 'isReminderOn',
  'reminderMinutesBeforeStart', 'recurrence', 'showAs', 'sensitivity', 'isDraft', 'isCancelled', 'iCalUId', 'changeKey',
  'seriesMasterId', 'originalStart', 'transactionId', 'lastModifiedDateTime', 'cancelledOccurrences',
].join(',');
/** The query of a read by id: the selected fields and the hub's tag. */
const BY_ID_QUERY = `$select=${enc(SELECT_BY_ID)}&$expand=${enc(EXPAND_TAG)}`;
/** Every event carrying the tag property: "have the property" is an `eq` on its id (singlevaluelegacyextendedproperty-get). */
const FILTER_TAGGED = `singleValueExtendedProperties/Any(ep: ep/id eq '${HUB_TAG_PROPERTY_ID}')`;

export interface MicrosoftGraphProviderDeps {
  transport: GraphTransport;
  logger: Logger;
  connectionId: string;
}

/**
 * `CalendarProvider` over Microsoft Graph v1.0 for one linked account (docs/providers.md, "Microsoft Graph").
 * Every call goes through the connection's `GraphTransport` (mailbox limiter, Retry-After, error
 * normalisation). Event paths are scoped to the calendar (`/me/calendars/{id}/events/{id}`), so an
 * id from another calendar is NOT_FOUND.
 */
export class MicrosoftGraphProvider implements CalendarProvider {
  readonly push: PushCapability;

  constructor(private readonly deps: MicrosoftGraphProviderDeps) {
    this.push = {
      subscribe: (request) => this.subscribe(request),
      renew: (channel, request) => this.renew(channel, request),
      unsubscribe: (channel) => this.unsubscribe(channel),
    };
  }

  private get transport(): GraphTransport {
    return this.deps.transport;
  }

  private eventPath(calendarId: ProviderCalendarId, eventId: string): string {
    return `/me/calendars/${enc(calendarId)}/events/${enc(eventId)}`;
  }

  /** Follows `@odata.nextLink` page by page. */
  private async *pages<T>(first: string, action: string): AsyncGenerator<T[]> {
    let link: string | undefined = first;
    while (link) {
      const answer: { body: GraphCollection<T> | null } = await this.transport.send<GraphCollection<T>>({ method: 'GET', path: link, action, idempotent: true });
      yield answer.body?.value ?? [];
      link = answer.body?.['@odata.nextLink'];
    }
  }

  async listCalendars(): Promise<ProviderCalendar[]> {
    const out: ProviderCalendar[] = [];
    for await (const page of this.pages<GraphCalendar>(`/me/calendars?$top=${this.transport.tuning.pageSize}`, 'listing calendars')) {
      out.push(...page.map(toProviderCalendar));
    }
    return out;
  }

  async getEvent(calendarId: ProviderCalendarId, eventId: ProviderEventId): Promise<ExternalEvent | null> {
    const ev = await this.fetchEvent(calendarId, eventId, 'reading an event');
    return ev ? mapEvent(ev, calendarId) : null;
  }

  private async fetchEvent(calendarId: ProviderCalendarId, eventId: string, action: string): Promise<GraphEvent | null> {
    try {
      const answer = await this.transport.send<GraphEvent>({ method: 'GET', path: `${this.eventPath(calendarId, eventId)}?${BY_ID_QUERY}`, action, idempotent: true });
      return answer.body;
    } catch (e) {
      if (isProviderError(e) && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }

  async getSeriesInstances(calendarId: ProviderCalendarId, seriesMasterId: ProviderEventId, window: TimeWindow): Promise<ExternalEvent[]> {
    const out: ExternalEvent[] = [];
    const path = `${this.eventPath(calendarId, seriesMasterId)}/instances?startDateTime=${enc(window.start)}&endDateTime=${enc(window.end)}&$top=${this.transport.tuning.pageSize}`;
    for await (const page of this.pages<GraphEvent>(path, 'reading the instances of a series')) out.push(...page.map((ev) => mapEvent(ev, calendarId)));
    return out;
  }

  /** The Graph body, or UNSUPPORTED with the reason Graph cannot hold the event. */
  private writeBody(data: EventData, opts: GraphWriteOptions): GraphEventWrite {
    const result = toGraphEventWrite(data, opts);
    if (!result.ok) throw new ProviderError('UNSUPPORTED', result.reason);
    return result.event;
  }

  /**
   * Writes with the event's IANA zone; when Graph refuses that zone (it supports Windows names and a
   * subset of IANA names, https://learn.microsoft.com/graph/api/resources/datetimetimezone) the
   * write is repeated once with the CLDR Windows name.
   */
  private async withZoneFallback<T>(data: EventData, write: (body: GraphEventWrite) => Promise<T>): Promise<T> {
    try {
      return await write(this.writeBody(data, { zoneNames: 'iana' }));
    } catch (e) {
      if (!(isProviderError(e) && e.details.providerCode === 'TimeZoneNotSupportedException')) throw e;
      return write(this.writeBody(data, { zoneNames: 'windows' }));
    }
  }

  async createEvent(request: CreateEventRequest): Promise<ExternalEvent> {
    const { calendarId, idempotencyKey, data } = request;
    const created = await this.withZoneFallback(data, async (body) => {
      try {
        const answer = await this.transport.send<GraphEvent>({
          method: 'POST',
          path: `/me/calendars/${enc(calendarId)}/events`,
          // A repeated POST with the same transactionId returns the original event
          // (docs/providers.md#graph-hub-tag), so a retry after a lost answer never duplicates; the
          // extended property makes the event findable.
          body: { ...body, transactionId: transactionIdFor(idempotencyKey), singleValueExtendedProperties: [{ id: HUB_TAG_PROPERTY_ID, value: idempotencyKey }] },
          action: 'creating an event',
          idempotent: true,
        });
        if (!answer.body) throw new ProviderError('UNKNOWN', 'Microsoft Graph created an event but returned no body.');
        return answer.body;
      } catch (e) {
        // Should Graph answer a repeated transactionId with a conflict instead, return the original.
        if (isProviderError(e) && e.details.status === 409) {
          const existing = await this.findByTag(calendarId, idempotencyKey);
          if (existing) return existing;
        }
        throw e;
      }
    });
    const event = { ...mapEvent(created, calendarId), hubTag: idempotencyKey };
    const exdates = data.recurrence?.exdates ?? [];
    if (event.kind !== 'SERIES_MASTER' || exdates.length === 0) return event;
    await this.cancelOccurrences(calendarId, event.id, exdates);
    const fresh = await this.getEvent(calendarId, event.id);
    if (!fresh) throw new ProviderError('NOT_FOUND', 'The series the hub just created is gone.');
    return fresh;
  }

  private async findByTag(calendarId: ProviderCalendarId, tag: string): Promise<GraphEvent | null> {
    const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${HUB_TAG_PROPERTY_ID}' and ep/value eq '${tag.replace(/'/g, "''")}')`;
    const answer = await this.transport.send<GraphCollection<GraphEvent>>({
      method: 'GET',
      path: `/me/calendars/${enc(calendarId)}/events?$filter=${enc(filter)}&$expand=${enc(EXPAND_TAG)}&$top=2`,
      action: 'looking up an event by its hub tag',
      idempotent: true,
    });
    return answer.body?.value?.[0] ?? null;
  }

  /** Cancels the occurrences of a series that start at the given EXDATEs (Graph has no EXDATE). */
  private async cancelOccurrences(calendarId: ProviderCalendarId, masterId: ProviderEventId, exdates: string[]): Promise<void> {
    const norm = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? v : (instantFromGraph(v) ?? v));
    const wanted = new Set(exdates.map(norm));
    const times = exdates.map((d) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00Z` : d)).filter((n) => !Number.isNaN(n));
    if (times.length === 0) return;
    const window = { start: new Date(Math.min(...times) - 2 * DAY_MS).toISOString(), end: new Date(Math.max(...times) + 2 * DAY_MS).toISOString() };
    const instances = await this.getSeriesInstances(calendarId, masterId, window);
    const doomed = instances.filter((i) => i.originalStart !== null && wanted.has(i.originalStart));
    const answers = await this.transport.batch(
      doomed.map((i, n) => ({ id: String(n), method: 'DELETE' as const, url: this.eventPath(calendarId, i.id) })),
      'cancelling occurrences of a series',
    );
    for (const [, answer] of answers) {
      if (answer.status >= 300 && answer.status !== 404 && answer.status !== 410) throw batchError(answer, 'cancelling occurrences of a series', true);
    }
  }

  async updateEvent(request: UpdateEventRequest): Promise<ExternalEvent> {
    const { calendarId, eventId, data, ifMatch } = request;
    const updated = await this.withZoneFallback(data, async (body) => this.patch(calendarId, eventId, await this.keepSeriesExceptions(calendarId, eventId, body), ifMatch));
    const event = mapEvent(updated, calendarId);
    const exdates = data.recurrence?.exdates ?? [];
    if (event.kind !== 'SERIES_MASTER' || exdates.length === 0) return event;
    await this.cancelOccurrences(calendarId, event.id, exdates);
    return (await this.getEvent(calendarId, event.id)) ?? event;
  }

  /**
   * A series master's times and pattern are sent only when they change: Exchange may discard the
   * series' exceptions when they are written, even unchanged
   * (docs/providers.md#graph-series-updates). Costs one GET per series update.
   */
  private async keepSeriesExceptions(calendarId: ProviderCalendarId, eventId: ProviderEventId, body: GraphEventWrite): Promise<Partial<GraphEventWrite>> {
    if (!body.recurrence) return body;
    const current = await this.fetchEvent(calendarId, eventId, 'reading a series before updating it');
    if (!current || !sameSeriesShape(current, body)) return body;
    const { start: _start, end: _end, isAllDay: _isAllDay, recurrence: _recurrence, ...rest } = body;
    return rest;
  }

  private async patch(calendarId: ProviderCalendarId, eventId: ProviderEventId, body: Partial<GraphEventWrite>, ifMatch: string | null): Promise<GraphEvent> {
    const call: GraphCall = {
      method: 'PATCH',
      path: this.eventPath(calendarId, eventId),
      body,
      action: 'updating an event',
      idempotent: true,
      ...(ifMatch ? { headers: { 'If-Match': etagOf(ifMatch) } } : {}),
    };
    try {
      const answer = await this.transport.send<GraphEvent>(call);
      if (!answer.body) throw new ProviderError('UNKNOWN', 'Microsoft Graph updated an event but returned no body.');
      return answer.body;
    } catch (e) {
      // Exchange sometimes answers 412 without any If-Match while it is still touching the item
      // (docs/providers.md#graph-412-without-if-match).
      // Without a version of our own to defend, read the item again and retry once.
      if (!(isProviderError(e) && e.code === 'PRECONDITION_FAILED') || ifMatch) throw e;
      await sleep(this.transport.tuning.retry.baseDelayMs);
      if (!(await this.fetchEvent(calendarId, eventId, 'reading an event before retrying an update'))) throw new ProviderError('NOT_FOUND', 'The event was deleted while it was being updated.');
      const answer = await this.transport.send<GraphEvent>(call);
      if (!answer.body) throw new ProviderError('UNKNOWN', 'Microsoft Graph updated an event but returned no body.');
      return answer.body;
    }
  }

  async deleteEvent(request: DeleteEventRequest): Promise<void> {
    await this.transport.send({
      method: 'DELETE',
      path: this.eventPath(request.calendarId, request.eventId),
      action: 'deleting an event',
      idempotent: true,
      accept: [404, 410],
      ...(request.ifMatch ? { headers: { 'If-Match': etagOf(request.ifMatch) } } : {}),
    });
  }

  /** Bulk delete through `$batch` (cleanup); an event already gone counts as deleted. */
  async deleteEvents(calendarId: ProviderCalendarId, eventIds: ProviderEventId[]): Promise<{ eventId: ProviderEventId; error: ProviderError | null }[]> {
    const answers = await this.transport.batch(
      eventIds.map((id, n) => ({ id: String(n), method: 'DELETE' as const, url: this.eventPath(calendarId, id) })),
      'deleting events',
    );
    return eventIds.map((eventId, n) => {
      const answer = answers.get(String(n));
      if (!answer) return { eventId, error: new ProviderError('TRANSIENT', 'Microsoft Graph did not answer this part of the batch.') };
      const ok = (answer.status >= 200 && answer.status < 300) || answer.status === 404 || answer.status === 410;
      return { eventId, error: ok ? null : batchError(answer, 'deleting an event', true) };
    });
  }

  async *findHubEvents(calendarId: ProviderCalendarId): AsyncIterable<ExternalEvent[]> {
    const path = `/me/calendars/${enc(calendarId)}/events?$filter=${enc(FILTER_TAGGED)}&$expand=${enc(EXPAND_TAG)}&$top=${this.transport.tuning.pageSize}`;
    for await (const page of this.pages<GraphEvent>(path, 'finding the events the hub wrote')) {
      if (page.length > 0) yield page.map((ev) => mapEvent(ev, calendarId));
    }
  }

  async getBusyBlocks(calendarIds: ProviderCalendarId[], window: TimeWindow): Promise<BusyBlock[]> {
    const perCalendar = await Promise.all(
      calendarIds.map(async (calendarId) => {
        const blocks: BusyBlock[] = [];
        const path =
          `/me/calendars/${enc(calendarId)}/calendarView?startDateTime=${enc(window.start)}&endDateTime=${enc(window.end)}` +
          `&$select=${enc('start,end,showAs,isAllDay,isCancelled,originalStartTimeZone')}&$top=${this.transport.tuning.pageSize}`;
        for await (const page of this.pages<GraphEvent>(path, 'reading busy times')) {
          for (const ev of page) {
            if (ev.isCancelled || ev.showAs === 'free' || !ev.start || !ev.end) continue;
            const start = instantOfDateTimeTimeZone(ev.start);
            const end = instantOfDateTimeTimeZone(ev.end);
            if (start && end) blocks.push({ calendarId, start, end, showAs: showAsFromGraph(ev.showAs) });
          }
        }
        return blocks;
      }),
    );
    return perCalendar.flat().sort((a, b) => a.start.localeCompare(b.start));
  }

  /**
   * `calendarView/delta` on one calendar (docs/providers.md#graph-delta-reads). The window of a round
   * is fixed in its links, so the adapter widens the requested window when it starts a full round
   * (start floored to the UTC day, end ceiled to the day plus 7 days), stores that window in the
   * cursor, and keeps following the delta link while the stored window still covers the requested
   * one; once it does not (the window moved on, or was widened), a new full round starts (`full:
   * true`).
   *
   * Delta returns instances only, never series masters: occurrences are not emitted one by one; each
   * series with a changed instance has its master read once per round (batched) and emitted as
   * SERIES_MASTER, exceptions as EXCEPTION. `@removed` carries only an id and also stands for "moved
   * out of the window", so removed ids are looked up (batched): gone → DELETE, still there → UPSERT.
   * A rejected delta link (410) restarts a full round; a second rejection in the same read is
   * SYNC_CURSOR_INVALID.
   */
  async *readChanges(request: ReadChangesRequest): AsyncIterable<ChangePage> {
    const { calendarId, cursor, window } = request;
    const reuse = cursor?.kind === 'graph-delta' && covers(cursor, window);
    let round = reuse ? { link: cursor.deltaLink, windowStart: cursor.windowStart, windowEnd: cursor.windowEnd } : initialRound(calendarId, window);
    let full = !reuse;
    let restarted = false;
    const mastersSeen = new Set<string>();
    for (;;) {
      const answer = await this.transport.send<GraphCollection<GraphEvent>>({
        method: 'GET',
        path: round.link,
        prefer: [`odata.maxpagesize=${this.transport.tuning.deltaPageSize}`],
        action: 'reading calendar changes',
        idempotent: true,
        accept: [410],
      });
      if (answer.status === 410) {
        if (restarted) throw new ProviderError('SYNC_CURSOR_INVALID', 'Microsoft Graph rejected a freshly started delta round (410).', { status: 410, providerCode: 'SyncStateNotFound' });
        this.deps.logger.info({ connectionId: this.deps.connectionId, calendarId }, 'microsoft-graph: delta state rejected, starting a full read');
        restarted = true;
        full = true;
        mastersSeen.clear();
        round = initialRound(calendarId, window);
        continue;
      }
      const page = answer.body ?? {};
      const changes = await this.changesOf(calendarId, page.value ?? [], mastersSeen);
      const deltaLink = page['@odata.deltaLink'];
      if (deltaLink) {
        yield { changes, full, nextCursor: { kind: 'graph-delta', deltaLink, windowStart: round.windowStart, windowEnd: round.windowEnd } };
        return;
      }
      const nextLink = page['@odata.nextLink'];
      if (!nextLink) throw new ProviderError('UNKNOWN', 'A Microsoft Graph delta page carried neither a nextLink nor a deltaLink.');
      yield { changes, full, nextCursor: null };
      round = { ...round, link: nextLink };
    }
  }

  private async changesOf(calendarId: ProviderCalendarId, items: GraphEvent[], mastersSeen: Set<string>): Promise<EventChange[]> {
    const upserts: EventChange[] = [];
    const deletes: EventChange[] = [];
    const masters: string[] = [];
    const removed: string[] = [];

    const take = (ev: GraphEvent) => {
      const kind = kindOf(ev);
      if (ev.isCancelled) {
        const mapped = ev.start && ev.end ? mapEvent(ev, calendarId) : null;
        deletes.push({ type: 'DELETE', eventId: asProviderEventId(ev.id), seriesMasterId: mapped?.seriesMasterId ?? null, originalStart: mapped?.originalStart ?? null });
        return;
      }
      if (kind === 'SERIES_MASTER') mastersSeen.add(ev.id);
      if ((kind === 'OCCURRENCE' || kind === 'EXCEPTION') && ev.seriesMasterId && !mastersSeen.has(ev.seriesMasterId)) {
        mastersSeen.add(ev.seriesMasterId);
        masters.push(ev.seriesMasterId);
      }
      if (kind !== 'OCCURRENCE') upserts.push({ type: 'UPSERT', event: mapEvent(ev, calendarId) });
    };

    for (const item of items) {
      if (item['@removed']) removed.push(item.id);
      else take(item);
    }

    if (removed.length > 0) {
      const answers = await this.lookUp(calendarId, removed, 'checking removed events');
      for (const id of removed) {
        const answer = answers.get(id)!;
        if (answer.status >= 200 && answer.status < 300 && answer.body) take(answer.body as GraphEvent);
        else deletes.push({ type: 'DELETE', eventId: asProviderEventId(id), seriesMasterId: null, originalStart: null });
      }
    }

    const masterChanges: EventChange[] = [];
    if (masters.length > 0) {
      const answers = await this.lookUp(calendarId, masters, 'reading series masters');
      for (const id of masters) {
        const answer = answers.get(id)!;
        if (answer.status >= 200 && answer.status < 300 && answer.body) masterChanges.push({ type: 'UPSERT', event: mapEvent(answer.body as GraphEvent, calendarId) });
        else deletes.push({ type: 'DELETE', eventId: asProviderEventId(id), seriesMasterId: null, originalStart: null });
      }
    }
    return [...masterChanges, ...upserts, ...deletes];
  }

  /**
   * GETs events by id in `$batch`es. 2xx and "gone" (404, 410, malformed id) are answers; anything
   * else (throttling that outlasted the retries, server errors) fails the read, so the cursor does
   * not advance past changes that were not understood.
   */
  private async lookUp(calendarId: ProviderCalendarId, ids: string[], action: string): Promise<Map<string, BatchAnswer>> {
    const unique = [...new Set(ids)];
    const answers = await this.transport.batch(
      unique.map((id, n) => ({ id: String(n), method: 'GET' as const, url: `${this.eventPath(calendarId, id)}?${BY_ID_QUERY}` })),
      action,
    );
    const out = new Map<string, BatchAnswer>();
    unique.forEach((id, n) => {
      const answer = answers.get(String(n));
      if (!answer) throw new ProviderError('TRANSIENT', `Microsoft Graph did not answer a batch part while ${action}.`);
      const gone = answer.status === 404 || answer.status === 410 || (answer.status === 400 && parseGraphErrorBody(answer.body).code === 'ErrorInvalidIdMalformed');
      if (!gone && (answer.status < 200 || answer.status >= 300)) throw batchError(answer, action, false);
      out.set(id, answer);
    });
    return out;
  }

  private async subscribe(request: PushSubscribeRequest): Promise<PushChannel> {
    const answer = await this.transport.send<GraphSubscription>({
      method: 'POST',
      path: '/subscriptions',
      body: {
        changeType: 'created,updated,deleted',
        notificationUrl: request.notificationUrl,
        resource: `/me/calendars/${request.calendarId}/events`,
        expirationDateTime: cappedExpiry(request.expiresAt),
        clientState: request.secret,
      },
      action: 'subscribing to calendar notifications',
      idempotent: false,
    });
    return channelOf(answer.body, request.secret);
  }

  /** PATCHes the expiry (docs/providers.md#graph-subscriptions); a subscription Graph already removed is created again. */
  private async renew(channel: PushChannel, request: PushSubscribeRequest): Promise<PushChannel> {
    try {
      const answer = await this.transport.send<GraphSubscription>({
        method: 'PATCH',
        path: `/subscriptions/${enc(channel.channelId)}`,
        body: { expirationDateTime: cappedExpiry(request.expiresAt) },
        action: 'renewing a calendar subscription',
        idempotent: true,
      });
      return channelOf(answer.body, channel.secret);
    } catch (e) {
      if (isProviderError(e) && e.code === 'NOT_FOUND') return this.subscribe(request);
      throw e;
    }
  }

  private async unsubscribe(channel: PushChannel): Promise<void> {
    await this.transport.send({ method: 'DELETE', path: `/subscriptions/${enc(channel.channelId)}`, action: 'removing a calendar subscription', idempotent: true, accept: [404] });
  }
}

/** The mapper throws on events it cannot read (no start); at the port that is an UNKNOWN ProviderError. */
function mapEvent(ev: GraphEvent, calendarId: ProviderCalendarId): ExternalEvent {
  try {
    return toExternalEvent(ev, calendarId);
  } catch (e) {
    throw new ProviderError('UNKNOWN', `Microsoft Graph returned an event the hub cannot read (${e instanceof Error ? e.message : String(e)}).`);
  }
}

function etagOf(version: string): string {
  return version.startsWith('W/') || version.startsWith('"') ? version : `W/"${version}"`;
}

function batchError(answer: BatchAnswer, action: string, write: boolean): ProviderError {
  return graphHttpError(answer.status, parseGraphErrorBody(answer.body), parseRetryAfter(answer.headers['retry-after']), { action, write });
}

function covers(cursor: Extract<ProviderCursor, { kind: 'graph-delta' }>, window: TimeWindow): boolean {
  const cs = Date.parse(cursor.windowStart);
  const ce = Date.parse(cursor.windowEnd);
  return Number.isFinite(cs) && Number.isFinite(ce) && cs <= Date.parse(window.start) && ce >= Date.parse(window.end);
}

function initialRound(calendarId: ProviderCalendarId, window: TimeWindow) {
  const start = Math.floor(Date.parse(window.start) / DAY_MS) * DAY_MS;
  const end = (Math.ceil(Date.parse(window.end) / DAY_MS) + DELTA_WINDOW_SLACK_DAYS) * DAY_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw new ProviderError('UNKNOWN', `Invalid sync window ${window.start} – ${window.end}.`);
  const windowStart = new Date(start).toISOString();
  const windowEnd = new Date(end).toISOString();
  return {
    link: `/me/calendars/${enc(calendarId)}/calendarView/delta?startDateTime=${enc(windowStart)}&endDateTime=${enc(windowEnd)}`,
    windowStart,
    windowEnd,
  };
}

function cappedExpiry(requested: string): string {
  const wanted = Date.parse(requested);
  const cap = Date.now() + MAX_SUBSCRIPTION_MS;
  return new Date(Number.isFinite(wanted) ? Math.min(wanted, cap) : cap).toISOString();
}

function channelOf(sub: GraphSubscription | null, secret: string): PushChannel {
  if (!sub?.id) throw new ProviderError('UNKNOWN', 'Microsoft Graph answered a subscription request without a subscription.');
  return { channelId: sub.id, resourceId: null, expiresAt: instantFromGraph(sub.expirationDateTime) ?? sub.expirationDateTime, secret };
}
