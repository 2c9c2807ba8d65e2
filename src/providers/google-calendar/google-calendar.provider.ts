import { randomUUID } from 'node:crypto';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import type { OAuth2Client } from 'google-auth-library';
import { DateTime } from 'luxon';
import type { EventData } from '../../domain/appointment.js';
import {
  isProviderError,
  ProviderError,
  type AttendeeWriteMode,
  type BusyBlock,
  type CalendarProvider,
  type ChangePage,
  type CreateEventRequest,
  type DeleteEventRequest,
  type EventChange,
  type ExternalEvent,
  type ProviderCalendar,
  type ProviderCalendarId,
  type ProviderEventId,
  type PushCapability,
  type PushChannel,
  type PushSubscribeRequest,
  type ReadChangesRequest,
  type TimeWindow,
  type UpdateEventRequest,
} from '../calendar-provider.js';
import { createGoogleOAuthClient, GOOGLE_TRANSPORT } from './google-calendar.auth.js';
import { classifyForRetry, isGoogleEventMappingError, toProviderError } from './google-calendar.errors.js';
import { batchBody, GOOGLE_BATCH_LIMIT, parseBatchAnswer } from './google-batch.js';
import {
  HUB_OWNER_FILTER,
  hubTagOf,
  isUnmodifiedInstance,
  kindOf,
  toEventChange,
  toExternalEvent,
  toGoogleInsert,
  toGoogleUpdate,
  toProviderCalendar,
  type GoogleEvent,
} from './google-calendar.mapper.js';
import type { ConnectionContext } from '../provider-module.js';
import type { GoogleCalendarSettings } from './google-calendar.module.js';
import { DEFAULT_RETRY_POLICY, GoogleRequestRunner, type HttpMethod } from './google-calendar.retry.js';
import { eventIdForKey } from './google-event-id.js';
import { mergeTokenSet, parseTokenSet, serializeTokenSet, toCredentials, type GoogleTokenSet } from './google-token-set.js';

/** Google's largest `maxResults` for event lists (its default is 250): a full read of a big calendar takes a tenth of the requests. */
const DEFAULT_PAGE_SIZE = 2500;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Fresh ids tried for one idempotency key when Google refuses to restore our deleted event (docs/providers.md#google-event-ids). */
const MAX_ID_ATTEMPTS = 3;
/** Rounds of GET + PUT when the caller gave no version and the event changes in between. */
const MAX_MERGE_ROUNDS = 3;

/**
 * Non-default event types (out of office, focus time, working location, birthday, from Gmail) cannot
 * be mirrored 1:1 (docs/providers.md#google-event-types). Change reads ask Google for `default`
 * events only unless the caller wants every type (`allEventTypes`: an out-of-office block is busy
 * time); read that way or by id (getEvent), they come back with `unsupportedReason`.
 */
const MIRRORED_EVENT_TYPES = ['default'];

/**
 * Guests are told about the hub's writes only when the tenant has it write attendees
 * (docs/providers.md#google-updates): `sendUpdates=all` then, as Outlook always does; `none` otherwise.
 */
const sendUpdatesFor = (notify: boolean) => (notify ? 'all' : 'none');

/**
 * `CalendarProvider` over Google Calendar API v3 for one linked account: one OAuth2Client whose
 * credentials come from the connection's TokenStore (every refresh is saved back through the
 * library's `tokens` event), one retry layer (google-calendar.retry.ts), errors normalised to
 * `ProviderError`. https://developers.google.com/workspace/calendar/api/v3/reference
 */
export class GoogleCalendarProvider implements CalendarProvider {
  private readonly oauth: OAuth2Client;
  private readonly api: calendar_v3.Calendar;
  private readonly runner: GoogleRequestRunner;
  private readonly pageSize: number;
  private loaded: Promise<void> | null = null;
  private tokenSet: GoogleTokenSet | null = null;
  private saving: Promise<void> = Promise.resolve();
  /** Calendar zones seen in list answers, for `dateTime`s that carry only an offset. */
  private readonly zones = new Map<string, string>();
  readonly push: PushCapability;

  constructor(private readonly deps: { settings: GoogleCalendarSettings; connection: ConnectionContext }) {
    const { settings, connection } = deps;
    this.oauth = createGoogleOAuthClient(settings);
    this.oauth.on('tokens', (tokens) => this.persist(tokens as Record<string, unknown>));
    // googleapis-common pins its own google-auth-library, so the types differ; at run time any OAuth2Client works.
    this.api = calendar({
      version: 'v3',
      auth: this.oauth as unknown as calendar_v3.Options['auth'],
      rootUrl: settings.calendarRootUrl,
      retry: false,
      timeout: settings.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...GOOGLE_TRANSPORT,
    });
    this.runner = new GoogleRequestRunner({
      auth: this.oauth,
      policy: { ...DEFAULT_RETRY_POLICY, ...settings.retry },
      tokenUrl: settings.tokenUrl,
      logger: connection.logger,
      connectionId: connection.connectionId,
      ...(connection.meter ? { meter: connection.meter } : {}),
    });
    this.pageSize = settings.pageSize ?? DEFAULT_PAGE_SIZE;
    this.push = {
      subscribe: (request) => this.subscribe(request),
      renew: (channel, request) => this.renew(channel, request),
      unsubscribe: (channel) => this.unsubscribe(channel),
    };
  }

  private get log() {
    return this.deps.connection.logger;
  }

  /** Loads the stored token set once (again after a failed load). */
  private ensureLoaded(): Promise<void> {
    this.loaded ??= this.load().catch((error: unknown) => {
      this.loaded = null;
      throw error;
    });
    return this.loaded;
  }

  private async load(): Promise<void> {
    let blob: string | null;
    try {
      blob = await this.deps.connection.tokens.load();
    } catch (error) {
      throw new ProviderError('UNKNOWN', `The stored Google credentials could not be loaded (${error instanceof Error ? error.name : 'error'}).`);
    }
    if (blob === null) throw new ProviderError('AUTH_REVOKED', 'No Google credentials are stored for this link; the calendar must be linked again.', { providerCode: 'no_tokens' });
    try {
      this.tokenSet = parseTokenSet(blob);
    } catch (error) {
      throw new ProviderError('AUTH_REVOKED', `The stored Google credentials are unreadable (${error instanceof Error ? error.message : 'invalid'}); the calendar must be linked again.`, {
        providerCode: 'tokens_unreadable',
      });
    }
    this.oauth.setCredentials(toCredentials(this.tokenSet));
  }

  /**
   * Saves a refresh answer, keeping the refresh token Google leaves out of it
   * (docs/providers.md#google-tokens-and-revocation). Saves run in order.
   */
  private persist(tokens: Record<string, unknown>): void {
    const next = mergeTokenSet(this.tokenSet, tokens);
    this.tokenSet = next;
    const blob = serializeTokenSet(next);
    this.saving = this.saving
      .then(() => this.deps.connection.tokens.save(blob))
      .catch((error: unknown) => {
        // Not fatal: Google does not rotate refresh tokens, so the stored set still works after a restart.
        this.log.error({ connectionId: this.deps.connection.connectionId, err: error instanceof Error ? error.name : 'error' }, 'saving refreshed Google credentials failed');
      });
  }

  /** Resolves when every refreshed token set seen so far has been handed to the TokenStore. */
  flushTokens(): Promise<void> {
    return this.saving;
  }

  private async call<T>(operation: string, method: HttpMethod, fn: () => Promise<{ data: T }>): Promise<T> {
    await this.ensureLoaded();
    const res = await this.runner.run(operation, method, fn);
    return res.data;
  }

  private mapped<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (isGoogleEventMappingError(error)) throw new ProviderError('UNKNOWN', `Google Calendar ${operation}: ${error.message}.`, { providerCode: 'unmappable_event' });
      throw error;
    }
  }

  private writable<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (isGoogleEventMappingError(error)) throw new ProviderError('UNSUPPORTED', `The appointment cannot be written to Google Calendar: ${error.message}.`, { providerCode: 'unmappable_event' });
      throw error;
    }
  }

  private toEvent(calendarId: ProviderCalendarId, event: GoogleEvent, operation: string): ExternalEvent {
    return this.mapped(operation, () => toExternalEvent(event, { calendarId, calendarTimeZone: this.zones.get(calendarId) ?? null }));
  }

  /** The calendar's zone, fetched once when an event's `dateTime` carries only an offset. */
  private async zoneFor(calendarId: ProviderCalendarId, event: GoogleEvent): Promise<void> {
    if (this.zones.has(calendarId) || !event.start?.dateTime || event.start.timeZone) return;
    const entry = await this.call('calendarList.get', 'GET', () => this.api.calendarList.get({ calendarId }));
    if (entry.timeZone) this.zones.set(calendarId, entry.timeZone);
  }

  async listCalendars(): Promise<ProviderCalendar[]> {
    const out: ProviderCalendar[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call('calendarList.list', 'GET', () => this.api.calendarList.list({ maxResults: 250, showHidden: true, ...(pageToken ? { pageToken } : {}) }));
      for (const entry of page.items ?? []) {
        if (entry.deleted) continue;
        const cal = this.mapped('calendarList.list', () => toProviderCalendar(entry));
        if (cal.timeZone) this.zones.set(cal.id, cal.timeZone);
        out.push(cal);
      }
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  /**
   * Full read: `singleEvents=false` (masters, singles, exceptions), `showDeleted=true`, bounded by
   * the window's start, `nextSyncToken` from the last page. Incremental read: the same parameters
   * minus the ones Google forbids with `syncToken` (docs/providers.md#google-incremental-sync). A
   * rejected token (410) restarts a full read whose pages are marked `full`.
   */
  async *readChanges(request: ReadChangesRequest): AsyncIterable<ChangePage> {
    const { calendarId, cursor, window } = request;
    if (cursor !== null && cursor.kind !== 'google-sync') {
      throw new ProviderError('SYNC_CURSOR_INVALID', `A ${cursor.kind} cursor cannot be used with Google Calendar; a full read is needed.`);
    }
    const allEventTypes = request.allEventTypes === true;
    // A sync token only continues the listing it was issued to (same eventTypes): another one starts over.
    let syncToken = cursor !== null && (cursor.allEventTypes === true) === allEventTypes ? cursor.syncToken : null;
    let pageToken: string | undefined;
    for (;;) {
      const full = syncToken === null;
      const params: calendar_v3.Params$Resource$Events$List = {
        calendarId,
        singleEvents: false,
        showDeleted: true,
        maxResults: this.pageSize,
        ...(allEventTypes ? {} : { eventTypes: MIRRORED_EVENT_TYPES }),
        ...(syncToken === null ? { timeMin: window.start } : { syncToken }),
        ...(pageToken ? { pageToken } : {}),
      };
      let page: calendar_v3.Schema$Events;
      try {
        page = await this.call('events.list', 'GET', () => this.api.events.list(params));
      } catch (error) {
        if (!full && isProviderError(error) && error.code === 'SYNC_CURSOR_INVALID') {
          this.log.warn({ connectionId: this.deps.connection.connectionId, calendarId, providerCode: error.details.providerCode }, 'google sync token rejected; restarting with a full read');
          syncToken = null;
          pageToken = undefined;
          continue;
        }
        throw error;
      }
      if (page.timeZone) this.zones.set(calendarId, page.timeZone);
      const zone = this.zones.get(calendarId) ?? null;
      const changes: EventChange[] = (page.items ?? []).map((item) => this.mapped('events.list', () => toEventChange(item, { calendarId, calendarTimeZone: zone })));
      if (page.nextPageToken) {
        yield { changes, full, nextCursor: null };
        pageToken = page.nextPageToken;
        continue;
      }
      if (!page.nextSyncToken) throw new ProviderError('UNKNOWN', 'Google Calendar events.list: the last page carries no nextSyncToken.', { providerCode: 'no_sync_token' });
      yield { changes, full, nextCursor: { kind: 'google-sync', syncToken: page.nextSyncToken, ...(allEventTypes ? { allEventTypes } : {}) } };
      return;
    }
  }

  /** The raw resource, or null when Google answers 404/410. */
  private async fetchEvent(calendarId: ProviderCalendarId, eventId: string): Promise<GoogleEvent | null> {
    try {
      return await this.call('events.get', 'GET', () => this.api.events.get({ calendarId, eventId }));
    } catch (error) {
      if (isProviderError(error) && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** A deleted event still answers GET with `status: "cancelled"` (docs/providers.md#google-event-ids); the port calls that absent. */
  async getEvent(calendarId: ProviderCalendarId, eventId: ProviderEventId): Promise<ExternalEvent | null> {
    const event = await this.fetchEvent(calendarId, eventId);
    if (!event || event.status === 'cancelled') return null;
    await this.zoneFor(calendarId, event);
    return this.toEvent(calendarId, event, 'events.get');
  }

  async getSeriesInstances(calendarId: ProviderCalendarId, seriesMasterId: ProviderEventId, window: TimeWindow): Promise<ExternalEvent[]> {
    const masterEvent = await this.fetchEvent(calendarId, seriesMasterId);
    if (!masterEvent) throw new ProviderError('NOT_FOUND', `Google Calendar events.instances: series ${seriesMasterId} does not exist.`, { status: 404 });
    if (masterEvent.status === 'cancelled') return [];
    await this.zoneFor(calendarId, masterEvent);
    const master = this.toEvent(calendarId, masterEvent, 'events.get');
    const out: ExternalEvent[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call('events.instances', 'GET', () =>
        this.api.events.instances({
          calendarId,
          eventId: seriesMasterId,
          timeMin: window.start,
          timeMax: window.end,
          maxResults: this.pageSize,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      if (page.timeZone) this.zones.set(calendarId, page.timeZone);
      for (const item of page.items ?? []) {
        if (item.status === 'cancelled') continue;
        const instance = this.toEvent(calendarId, item, 'events.instances');
        out.push({ ...instance, kind: isUnmodifiedInstance(instance, master.data) ? 'OCCURRENCE' : 'EXCEPTION' });
      }
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  /**
   * Insert with an id derived from the idempotency key (docs/providers.md#google-event-ids). On 409
   * the id exists: our own live event (a retry after a lost answer) is returned as is; our own
   * deleted event is restored by an update with `status: "confirmed"`, or, when Google refuses that,
   * created under the next derived id; an event the hub did not write is never overwritten. A
   * deleted series is never restored: Google cancels its moved and edited occurrences with it, and
   * a restore brings back the master only, so those occurrences would stay cancelled in a series
   * the host holds whole — it is created afresh under the next derived id.
   */
  async createEvent(request: CreateEventRequest): Promise<ExternalEvent> {
    const { calendarId, idempotencyKey, data } = request;
    const attendees = request.attendees ?? 'KEEP';
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const id = eventIdForKey(idempotencyKey, attempt);
      const body = this.writable(() => toGoogleInsert(data, { id, hubTag: idempotencyKey, attendees }));
      try {
        const created = await this.call('events.insert', 'POST', () =>
          this.api.events.insert({ calendarId, sendUpdates: sendUpdatesFor(attendees === 'WRITE' && (body.attendees?.length ?? 0) > 0), requestBody: body }),
        );
        return this.toEvent(calendarId, created, 'events.insert');
      } catch (error) {
        if (!isProviderError(error) || error.details.status !== 409) throw error;
      }
      const existing = await this.fetchEvent(calendarId, id);
      if (!existing) {
        throw new ProviderError('TRANSIENT', `Google Calendar events.insert: id ${id} is taken but the event cannot be read yet; try again.`, { status: 409, providerCode: 'duplicate' });
      }
      if (hubTagOf(existing) !== idempotencyKey) {
        throw new ProviderError(
          'UNKNOWN',
          `Google Calendar events.insert: the event id derived for this appointment (${id}) already belongs to an event the hub did not write; it was left untouched.`,
          { status: 409, providerCode: 'duplicate' },
        );
      }
      if (existing.status !== 'cancelled') return this.toEvent(calendarId, existing, 'events.get');
      if (kindOf(existing) === 'SERIES_MASTER') continue;
      const restored = await this.restore(calendarId, existing, data, attendees);
      if (restored) return restored;
    }
    throw new ProviderError('UNKNOWN', `Google Calendar events.insert: no usable event id left for this appointment after ${MAX_ID_ATTEMPTS} attempts.`, { status: 409, providerCode: 'duplicate' });
  }

  /** Brings back our own deleted event; null when Google refuses (some accounts answer 403, docs/providers.md#google-event-ids). */
  private async restore(calendarId: ProviderCalendarId, existing: GoogleEvent, data: EventData, attendees: AttendeeWriteMode): Promise<ExternalEvent | null> {
    const eventId = existing.id ?? '';
    const body = this.writable(() => toGoogleUpdate(existing, data, { restore: true, attendees }));
    try {
      const updated = await this.call('events.update', 'PUT', () =>
        this.api.events.update(
          { calendarId, eventId, sendUpdates: sendUpdatesFor(attendees === 'WRITE'), supportsAttachments: true, requestBody: body },
          existing.etag ? { headers: { 'If-Match': existing.etag } } : {},
        ),
      );
      return this.toEvent(calendarId, updated, 'events.update');
    } catch (error) {
      if (isProviderError(error) && (error.code === 'UNSUPPORTED' || error.code === 'UNKNOWN')) {
        this.log.warn({ connectionId: this.deps.connection.connectionId, calendarId, eventId, providerCode: error.details.providerCode }, 'google refused to restore a deleted hub event; using a new id');
        return null;
      }
      throw error;
    }
  }

  /**
   * GET + merge + full PUT with `If-Match` (docs/providers.md#google-updates): the PUT sends back
   * every field the hub does not own, so nothing set elsewhere (colour, attachments, other apps'
   * properties) is cleared (`supportsAttachments` so attachments sent back are kept; conference data
   * is left to Google, which ignores it at conferenceDataVersion 0). This costs two calls but two
   * quota units, where a PATCH costs three. A version mismatch seen on the GET fails without writing.
   */
  async updateEvent(request: UpdateEventRequest): Promise<ExternalEvent> {
    const { calendarId, eventId, data, ifMatch } = request;
    const attendees = request.attendees ?? 'KEEP';
    for (let round = 1; ; round++) {
      const current = await this.fetchEvent(calendarId, eventId);
      if (!current || current.status === 'cancelled') {
        throw new ProviderError('NOT_FOUND', `Google Calendar events.update: event ${eventId} does not exist or was deleted.`, { status: current ? 410 : 404 });
      }
      if (ifMatch !== null && current.etag !== ifMatch) {
        throw new ProviderError('PRECONDITION_FAILED', `Google Calendar events.update: event ${eventId} changed at Google since it was last read.`, {
          status: 412,
          providerCode: 'conditionNotMet',
        });
      }
      const body = this.writable(() => toGoogleUpdate(current, data, { attendees }));
      const version = ifMatch ?? current.etag;
      try {
        const updated = await this.call('events.update', 'PUT', () =>
          this.api.events.update(
            { calendarId, eventId, sendUpdates: sendUpdatesFor(attendees === 'WRITE'), supportsAttachments: true, requestBody: body },
            version ? { headers: { 'If-Match': version } } : {},
          ),
        );
        return this.toEvent(calendarId, updated, 'events.update');
      } catch (error) {
        // Without a caller version the If-Match only guards the merge: read again and redo it.
        if (ifMatch === null && round < MAX_MERGE_ROUNDS && isProviderError(error) && error.code === 'PRECONDITION_FAILED') continue;
        throw error;
      }
    }
  }

  async deleteEvent(request: DeleteEventRequest): Promise<void> {
    const { calendarId, eventId, ifMatch } = request;
    try {
      await this.call('events.delete', 'DELETE', () =>
        this.api.events.delete({ calendarId, eventId, sendUpdates: sendUpdatesFor(request.notifyAttendees === true) }, ifMatch ? { headers: { 'If-Match': ifMatch } } : {}),
      );
    } catch (error) {
      // 404, or 410 "deleted" for an event deleted before (docs/providers.md#google-event-ids): already gone.
      if (isProviderError(error) && error.code === 'NOT_FOUND') return;
      throw error;
    }
  }

  /**
   * Deletes many events with Calendar batch requests (50 calls per HTTP request; each part still
   * costs its quota unit). An event already gone (404, 410) counts as deleted; parts Google
   * throttled are sent once more after the wait it asked for; what still fails comes back as
   * that event's error.
   */
  async deleteEvents(calendarId: ProviderCalendarId, eventIds: ProviderEventId[]): Promise<{ eventId: ProviderEventId; error: ProviderError | null }[]> {
    await this.ensureLoaded();
    const out: { eventId: ProviderEventId; error: ProviderError | null }[] = [];
    const url = new URL('batch/calendar/v3', this.deps.settings.calendarRootUrl.endsWith('/') ? this.deps.settings.calendarRootUrl : `${this.deps.settings.calendarRootUrl}/`).href;
    const send = async (ids: ProviderEventId[]) => {
      const { boundary, body } = batchBody(ids.map((id) => ({ method: 'DELETE', path: `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(id)}?sendUpdates=none` })));
      const res = await this.runner.run(
        'batch (events.delete)',
        'POST',
        () => this.oauth.request<string>({ url, method: 'POST', headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` }, data: body, responseType: 'text' }),
        { batchParts: ids.length },
      );
      const contentType = typeof res.headers.get === 'function' ? (res.headers.get('content-type') ?? '') : String((res.headers as unknown as Record<string, string>)['content-type'] ?? '');
      return parseBatchAnswer(contentType, String(res.data), ids.length);
    };
    for (let i = 0; i < eventIds.length; i += GOOGLE_BATCH_LIMIT) {
      const chunk = eventIds.slice(i, i + GOOGLE_BATCH_LIMIT);
      let answers = await send(chunk);
      const throttled = chunk.filter((_, n) => { const f = answers[n]!.failure; return f !== null && classifyForRetry(f, { idempotent: true }).retry; });
      if (throttled.length > 0) {
        const wait = Math.max(...chunk.map((_, n) => answers[n]!.failure?.retryAfterMs ?? 0), 1_000);
        await new Promise((r) => setTimeout(r, Math.min(wait, 30_000)));
        const again = await send(throttled);
        const byId = new Map(throttled.map((id, n) => [id, again[n]!]));
        answers = chunk.map((id, n) => byId.get(id) ?? answers[n]!);
      }
      chunk.forEach((eventId, n) => {
        const answer = answers[n]!;
        const gone = answer.status === 404 || answer.status === 410;
        out.push({ eventId, error: answer.failure === null || gone ? null : toProviderError(answer.failure, 'events.delete (batch)') });
      });
    }
    return out;
  }

  async *findHubEvents(calendarId: ProviderCalendarId): AsyncIterable<ExternalEvent[]> {
    let pageToken: string | undefined;
    do {
      const page = await this.call('events.list', 'GET', () =>
        this.api.events.list({
          calendarId,
          privateExtendedProperty: [HUB_OWNER_FILTER],
          singleEvents: false,
          showDeleted: false,
          maxResults: this.pageSize,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      if (page.timeZone) this.zones.set(calendarId, page.timeZone);
      const events = (page.items ?? []).filter((item) => item.status !== 'cancelled').map((item) => this.toEvent(calendarId, item, 'events.list'));
      pageToken = page.nextPageToken ?? undefined;
      if (events.length || !pageToken) yield events;
    } while (pageToken);
  }

  /**
   * Busy time from expanded instances (`singleEvents=true`) in the window: opaque, not cancelled,
   * not declined by the account. The freeBusy endpoint would need a scope the hub does not ask for.
   */
  async getBusyBlocks(calendarIds: ProviderCalendarId[], window: TimeWindow): Promise<BusyBlock[]> {
    const blocks: BusyBlock[] = [];
    for (const calendarId of calendarIds) {
      let pageToken: string | undefined;
      do {
        const page = await this.call('events.list', 'GET', () =>
          this.api.events.list({
            calendarId,
            singleEvents: true,
            orderBy: 'startTime',
            timeMin: window.start,
            timeMax: window.end,
            showDeleted: false,
            maxResults: 2500,
            ...(pageToken ? { pageToken } : {}),
          }),
        );
        const zone = page.timeZone ?? this.zones.get(calendarId) ?? 'UTC';
        for (const item of page.items ?? []) {
          if (item.status === 'cancelled' || item.transparency === 'transparent') continue;
          const self = item.attendees?.find((a) => a.self);
          if (self?.responseStatus === 'declined') continue;
          const start = this.mapped('events.list', () => blockTime(item.start, zone));
          const end = this.mapped('events.list', () => blockTime(item.end, zone));
          const showAs = item.eventType === 'outOfOffice' ? 'OUT_OF_OFFICE' : self?.responseStatus === 'tentative' ? 'TENTATIVE' : 'BUSY';
          blocks.push({ calendarId, start, end, showAs });
        }
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
    }
    return blocks;
  }

  /** events.watch (docs/providers.md#google-push-channels): a new UUID channel; Google's returned expiration is authoritative. */
  private async subscribe(request: PushSubscribeRequest): Promise<PushChannel> {
    const channel = await this.call('events.watch', 'POST', () =>
      this.api.events.watch({
        calendarId: request.calendarId,
        requestBody: { id: randomUUID(), type: 'web_hook', address: request.notificationUrl, token: request.secret, expiration: String(Date.parse(request.expiresAt)) },
      }),
    );
    if (!channel.id || !channel.resourceId) throw new ProviderError('UNKNOWN', 'Google Calendar events.watch answered without a channel id or resource id.');
    const expiration = Number(channel.expiration);
    return {
      channelId: channel.id,
      resourceId: channel.resourceId,
      expiresAt: new Date(Number.isFinite(expiration) && expiration > 0 ? expiration : Date.parse(request.expiresAt)).toISOString(),
      secret: request.secret,
    };
  }

  /**
   * Google channels cannot be renewed: watch with a new channel first, then stop the old one, so no
   * change goes unnoticed in between (notifications may overlap briefly,
   * docs/providers.md#google-push-channels).
   */
  private async renew(channel: PushChannel, request: PushSubscribeRequest): Promise<PushChannel> {
    const next = await this.subscribe(request);
    try {
      await this.unsubscribe(channel);
    } catch (error) {
      // The new channel is live and must be returned; the old one expires on its own.
      this.log.warn(
        { connectionId: this.deps.connection.connectionId, channelId: channel.channelId, code: isProviderError(error) ? error.code : 'UNKNOWN' },
        'stopping the replaced google push channel failed; it will expire on its own',
      );
    }
    return next;
  }

  private async unsubscribe(channel: PushChannel): Promise<void> {
    if (!channel.resourceId) throw new ProviderError('UNKNOWN', 'A Google push channel cannot be stopped without its resource id.');
    const resourceId = channel.resourceId;
    try {
      await this.call('channels.stop', 'POST', () => this.api.channels.stop({ requestBody: { id: channel.channelId, resourceId } }));
    } catch (error) {
      if (isProviderError(error) && error.code === 'NOT_FOUND') return;
      throw error;
    }
  }
}

/** A busy block's edge as a UTC instant; all-day dates start at midnight in the calendar's zone. */
function blockTime(t: calendar_v3.Schema$EventDateTime | undefined, zone: string): string {
  if (t?.dateTime) return new Date(Date.parse(t.dateTime)).toISOString();
  if (t?.date) {
    const dt = DateTime.fromISO(t.date, { zone: t.timeZone ?? zone });
    if (dt.isValid) return new Date(dt.toMillis()).toISOString();
  }
  throw new ProviderError('UNKNOWN', 'Google Calendar events.list returned an event without a usable start or end.');
}
