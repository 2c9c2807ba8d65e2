import { createHash } from 'node:crypto';
import { calendarErrors, CalendarApiError } from '../google-api.errors.js';
import type { GoogleContext } from '../google-context.js';
import type { ChannelRecord } from '../google-state.js';
import type { GoogleEventsService } from './google-events.service.js';

/**
 * Push notifications for events (docs/providers.md#google-push-channels): `events.watch` opens a
 * channel, the address gets a `sync` message right away and an `exists` message after changes —
 * always a POST with an empty body and the X-Goog-* headers. Receivers answering 500/502/503/504 (or unreachable) are
 * retried with exponential backoff, a bounded number of times. Changes that arrive while a
 * notification is pending are folded into it. Channels expire by the emulator clock.
 * https://developers.google.com/workspace/calendar/api/guides/push
 */

type Json = Record<string, unknown>;

const RETRY_STATUSES = [500, 502, 503, 504];

export interface DeliveryRecord {
  channelId: string;
  state: 'sync' | 'exists' | 'not_exists';
  messageNumber: number;
  attempts: number;
  status: number | null;
  error: string | null;
}

export class GooglePushService {
  /** Channels with an `exists` notification waiting for its delay. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** One delivery chain per channel keeps message numbers in order at the receiver. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private closed = false;
  /** The last deliveries, newest last (for the control API and tests). */
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    private readonly ctx: GoogleContext,
    private readonly events: GoogleEventsService,
  ) {
    ctx.onCalendarChanged((calendarId) => this.calendarChanged(calendarId));
  }

  private get state() {
    return this.ctx.state;
  }

  watchEvents(accountId: string, calendarParam: string, body: unknown, query: Json): Json {
    const { calendar } = this.events.resolveCalendar(accountId, calendarParam);
    const b = (body ?? {}) as Json;
    if (typeof b.id !== 'string' || b.id === '') throw calendarErrors.required('Required channel id.');
    if (b.id.length > 64 || !/^[A-Za-z0-9\-_+/=]+$/.test(b.id)) throw calendarErrors.invalid('Invalid channel id.');
    if (this.state.channels[b.id]) throw new CalendarApiError(400, { domain: 'global', reason: 'channelIdNotUnique', message: `Channel id ${b.id} not unique` });
    const type = b.type ?? 'web_hook';
    if (type !== 'web_hook' && type !== 'webhook') throw calendarErrors.invalid(`Invalid channel type: ${String(type)}`);
    if (typeof b.address !== 'string' || !URL.canParse(b.address)) throw calendarErrors.required('Required address.');
    const protocol = new URL(b.address).protocol;
    if (protocol !== 'https:' && (this.state.settings.requireHttpsChannelAddress || protocol !== 'http:')) {
      throw new CalendarApiError(400, { domain: 'global', reason: 'push.webhookUrlNotHttps', message: `WebHook callback must be HTTPS: ${b.address}` });
    }
    if (b.token !== undefined && (typeof b.token !== 'string' || b.token.length > 256)) throw calendarErrors.invalid('Invalid channel token.');
    const now = this.ctx.now();
    const s = this.state.settings;
    const params = (b.params ?? {}) as Json;
    let expiration = now + s.channelDefaultTtlSeconds * 1000;
    if (params.ttl !== undefined) {
      const ttl = Number(params.ttl);
      if (!Number.isFinite(ttl) || ttl <= 0) throw calendarErrors.invalid('Invalid ttl parameter.');
      expiration = now + ttl * 1000;
    }
    if (b.expiration !== undefined && b.expiration !== null) {
      const exp = Number(b.expiration);
      if (!Number.isFinite(exp)) throw calendarErrors.invalid('Invalid expiration.');
      if (exp > now) expiration = exp;
    }
    expiration = Math.min(expiration, now + s.channelMaxTtlSeconds * 1000);
    const resourceUri = `${this.ctx.origin}/calendar/v3/calendars/${encodeURIComponent(calendar.id)}/events?alt=json${query.eventTypes ? `&eventTypes=${encodeURIComponent(String(query.eventTypes))}` : ''}`;
    const channel: ChannelRecord = {
      id: b.id,
      resourceId: createHash('sha1').update(`${accountId} ${calendar.id}`).digest('base64url').slice(0, 27),
      resourceUri,
      accountId,
      calendarId: calendar.id,
      address: b.address,
      token: typeof b.token === 'string' ? b.token : null,
      expiration: Math.floor(expiration),
      messageNumber: 0,
    };
    this.state.channels[channel.id] = channel;
    this.ctx.changed();
    this.schedule(channel.id, 'sync', s.pushDeliveryDelayMs);
    return {
      kind: 'api#channel',
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
      ...(channel.token !== null ? { token: channel.token } : {}),
      expiration: String(channel.expiration),
    };
  }

  stopChannel(accountId: string, body: unknown): void {
    const b = (body ?? {}) as Json;
    const ch = typeof b.id === 'string' ? this.state.channels[b.id] : undefined;
    if (!ch || ch.accountId !== accountId || (b.resourceId !== undefined && b.resourceId !== ch.resourceId)) {
      throw calendarErrors.notFound(`Channel '${String(b.id)}' not found for project '000000000000'`);
    }
    this.removeChannel(ch.id);
  }

  removeChannel(id: string): boolean {
    if (!this.state.channels[id]) return false;
    delete this.state.channels[id];
    const t = this.pending.get(id);
    if (t) clearTimeout(t);
    this.pending.delete(id);
    this.ctx.changed();
    return true;
  }

  listChannels(): ChannelRecord[] {
    return Object.values(this.state.channels).map((c) => ({ ...c }));
  }

  private calendarChanged(calendarId: string): void {
    for (const ch of Object.values(this.state.channels)) {
      if (ch.calendarId !== calendarId || this.pending.has(ch.id)) continue;
      this.schedule(ch.id, 'exists', this.state.settings.pushDeliveryDelayMs);
    }
  }

  private schedule(channelId: string, state: 'sync' | 'exists', delay: number): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (state === 'exists') this.pending.delete(channelId);
      const ch = this.state.channels[channelId];
      if (!ch) return;
      if (ch.expiration <= this.ctx.now()) {
        // Expired channels are dropped silently, like Google does.
        this.removeChannel(ch.id);
        return;
      }
      ch.messageNumber += 1;
      this.ctx.changed();
      const snapshot = { ...ch };
      const prev = this.chains.get(channelId) ?? Promise.resolve();
      const next = prev.then(() => this.deliver(snapshot, state));
      this.chains.set(channelId, next);
      void next.finally(() => {
        if (this.chains.get(channelId) === next) this.chains.delete(channelId);
      });
    }, delay);
    t.unref?.();
    this.timers.add(t);
    if (state === 'exists') this.pending.set(channelId, t);
  }

  private async deliver(ch: ChannelRecord, state: 'sync' | 'exists'): Promise<void> {
    const s = this.state.settings;
    const record: DeliveryRecord = { channelId: ch.id, state, messageNumber: ch.messageNumber, attempts: 0, status: null, error: null };
    this.deliveries.push(record);
    if (this.deliveries.length > 500) this.deliveries.shift();
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': ch.id,
      'X-Goog-Channel-Expiration': new Date(ch.expiration).toUTCString(),
      'X-Goog-Message-Number': String(ch.messageNumber),
      'X-Goog-Resource-ID': ch.resourceId,
      'X-Goog-Resource-State': state,
      'X-Goog-Resource-URI': ch.resourceUri,
      'User-Agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
      ...(ch.token !== null ? { 'X-Goog-Channel-Token': ch.token } : {}),
    };
    for (let attempt = 1; attempt <= Math.max(1, s.pushMaxAttempts) && !this.closed; attempt++) {
      record.attempts = attempt;
      const abort = new AbortController();
      this.aborts.add(abort);
      const timer = setTimeout(() => abort.abort(), s.pushTimeoutMs);
      let retry = false;
      try {
        const res = await fetch(ch.address, { method: 'POST', headers, body: '', signal: abort.signal, redirect: 'manual' });
        await res.arrayBuffer().catch(() => undefined);
        record.status = res.status;
        record.error = null;
        retry = RETRY_STATUSES.includes(res.status);
      } catch (e) {
        record.error = e instanceof Error ? e.message : String(e);
        retry = true;
      } finally {
        clearTimeout(timer);
        this.aborts.delete(abort);
      }
      if (!retry) return;
      if (attempt < s.pushMaxAttempts) await this.sleep(s.pushRetryBaseMs * 2 ** (attempt - 1));
    }
    this.ctx.logger?.warn({ channelId: ch.id, state, attempts: record.attempts, status: record.status }, 'google emulator: push notification not delivered');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref?.();
      this.timers.add(t);
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    for (const a of this.aborts) a.abort();
  }
}
