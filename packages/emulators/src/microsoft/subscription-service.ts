import { randomUUID } from 'node:crypto';
import type { EmulatorClock } from '../core/clock.js';
import type { EmulatorLogger } from '../types.js';
import type { EventChange } from './calendar-service.js';
import { GraphError, invalidRequest } from './graph-errors.js';
import { formatUtcInstant } from './graph-time.js';
import type { MicrosoftEmulatorSettings } from './microsoft-settings.js';
import type { AccountRecord, MicrosoftState, SubscriptionRecord } from './microsoft-state.js';

/**
 * Change notifications (docs/providers.md#graph-subscriptions,
 * https://learn.microsoft.com/graph/change-notifications-delivery-webhooks):
 * creation runs the validation handshake (`POST url?validationToken=…`, text/plain, answer the
 * decoded token within the timeout) against notificationUrl and lifecycleNotificationUrl; changes
 * are batched per subscription for `notificationDelayMs` and POSTed with the documented payload;
 * lifecycle events (`subscriptionRemoved`, `reauthorizationRequired`, `missed`) are triggered through
 * the control API. Expiry follows the emulator clock.
 */

export type LifecycleEvent = 'subscriptionRemoved' | 'reauthorizationRequired' | 'missed';
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

export interface DeliveryRecord {
  subscriptionId: string;
  url: string;
  kind: 'notification' | 'lifecycle' | 'validation';
  items: number;
  status: number | null;
  error: string | null;
  at: string;
}

interface PendingBatch {
  items: Record<string, unknown>[];
  timer: NodeJS.Timeout;
}

export class SubscriptionService {
  private pending = new Map<string, PendingBatch>();
  private inflight = new Set<Promise<unknown>>();
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    private readonly state: MicrosoftState,
    private readonly deps: { clock: EmulatorClock; settings: MicrosoftEmulatorSettings; changed: () => void; logger?: EmulatorLogger },
  ) {}

  private now(): number {
    return this.deps.clock.now();
  }

  /** Resolves a subscription resource to the calendar it watches (null = default calendar). */
  private resolveResource(account: AccountRecord, resource: string): string | null {
    const r = resource.replace(/^\/+/, '').replace(/\/+$/, '');
    const m = /^(?:me|users\/([^/]+))\/(?:events|calendar\/events|calendars\/([^/]+)\/events|mailFolders\('?inbox'?\)\/messages)$/i.exec(r);
    if (!m || /mailFolders/i.test(r)) throw invalidRequest(`Resource '${resource}' is not supported by the emulator; use /me/events or /me/calendars/{id}/events.`);
    if (m[1] && m[1].toLowerCase() !== account.id.toLowerCase() && m[1].toLowerCase() !== account.email.toLowerCase()) {
      throw new GraphError(403, 'ExtensionError', 'Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]');
    }
    return m[2] ? decodeURIComponent(m[2]) : null;
  }

  private checkExpiry(raw: unknown): number {
    const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (!Number.isFinite(ms)) throw invalidRequest('expirationDateTime must be a valid date and time.');
    const max = this.deps.settings.subscriptionMaxLifetimeMinutes;
    if (ms <= this.now()) throw new GraphError(400, 'ExtensionError', 'Subscription expiration must be in the future.');
    if (ms > this.now() + max * 60_000) {
      throw new GraphError(400, 'ExtensionError', `Subscription expiration can only be ${max} minutes in the future.`);
    }
    return ms;
  }

  private checkUrl(raw: unknown, field: string): string {
    if (typeof raw !== 'string') throw invalidRequest(`${field} is required.`);
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw invalidRequest(`${field} must be an absolute URL.`);
    }
    if (u.protocol !== 'https:' && (this.deps.settings.requireHttpsNotificationUrl || u.protocol !== 'http:')) {
      throw new GraphError(400, 'ValidationError', `The ${field} must be an https URL.`);
    }
    return raw;
  }

  async create(account: AccountRecord, clientId: string, body: Record<string, unknown>, calendarExists: (id: string | null) => void): Promise<SubscriptionRecord> {
    const changeType = typeof body.changeType === 'string' ? body.changeType : '';
    const types = changeType.split(',').map((s) => s.trim());
    if (types.length === 0 || types.some((t) => !CHANGE_TYPES.has(t))) throw invalidRequest(`changeType '${changeType}' is not valid; use created, updated and/or deleted.`);
    if (typeof body.resource !== 'string') throw invalidRequest('resource is required.');
    const calendarId = this.resolveResource(account, body.resource);
    calendarExists(calendarId);
    const notificationUrl = this.checkUrl(body.notificationUrl, 'notificationUrl');
    const lifecycleNotificationUrl = body.lifecycleNotificationUrl == null ? null : this.checkUrl(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const expiresAt = this.checkExpiry(body.expirationDateTime);
    const clientState = body.clientState == null ? null : String(body.clientState);
    if (clientState !== null && clientState.length > 128) throw invalidRequest('clientState must be at most 128 characters.');
    if (body.includeResourceData === true) throw invalidRequest('Rich notifications (includeResourceData) need an encryptionCertificate; the emulator does not support them.');

    const id = randomUUID();
    for (const url of [notificationUrl, lifecycleNotificationUrl]) {
      if (url) await this.validate(id, url);
    }
    const sub: SubscriptionRecord = {
      id,
      accountId: account.id,
      clientId,
      resource: body.resource,
      calendarId,
      changeType: types.join(','),
      notificationUrl,
      lifecycleNotificationUrl,
      clientState,
      expiresAt,
      createdAt: this.now(),
    };
    this.state.subscriptions[id] = sub;
    this.deps.changed();
    return sub;
  }

  /** The handshake: the endpoint must echo the URL-decoded token as text/plain with 200 in time. */
  private async validate(subscriptionId: string, url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    let failure: string | null = null;
    let status: number | null = null;
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
        signal: AbortSignal.timeout(this.deps.settings.validationTimeoutMs),
      });
      status = res.status;
      const text = await res.text();
      if (res.status !== 200) failure = `Notification endpoint must respond with 200 OK to validation request (got ${res.status}).`;
      else if (!(res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) failure = 'Validation response must have Content-Type text/plain.';
      else if (text !== token) failure = 'Response must exactly match validationToken query parameter.';
    } catch (e) {
      failure = (e as Error).name === 'TimeoutError' ? 'Validation request timed out.' : `Validation request failed: ${(e as Error).message}`;
    }
    this.record({ subscriptionId, url, kind: 'validation', items: 0, status, error: failure });
    if (failure) throw new GraphError(400, 'ValidationError', `Subscription validation request failed. ${failure}`);
  }

  private record(d: Omit<DeliveryRecord, 'at'>): void {
    this.deliveries.push({ ...d, at: new Date(this.now()).toISOString() });
    if (this.deliveries.length > 500) this.deliveries.shift();
  }

  get(id: string, accountId?: string): SubscriptionRecord {
    const sub = this.state.subscriptions[id];
    if (!sub || (accountId && sub.accountId !== accountId) || sub.expiresAt <= this.now()) {
      throw new GraphError(404, 'ResourceNotFound', `The object was not found.`);
    }
    return sub;
  }

  list(accountId?: string): SubscriptionRecord[] {
    return Object.values(this.state.subscriptions).filter((s) => (!accountId || s.accountId === accountId) && s.expiresAt > this.now());
  }

  renew(id: string, accountId: string, body: Record<string, unknown>): SubscriptionRecord {
    const sub = this.get(id, accountId);
    for (const key of Object.keys(body)) {
      if (key !== 'expirationDateTime' && key !== 'notificationUrl') throw invalidRequest(`Property '${key}' of a subscription cannot be updated.`);
    }
    if (body.notificationUrl !== undefined) sub.notificationUrl = this.checkUrl(body.notificationUrl, 'notificationUrl');
    if (body.expirationDateTime !== undefined) sub.expiresAt = this.checkExpiry(body.expirationDateTime);
    this.deps.changed();
    return sub;
  }

  remove(id: string, accountId?: string): void {
    this.get(id, accountId);
    delete this.state.subscriptions[id];
    const pending = this.pending.get(id);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(id);
    this.deps.changed();
  }

  render(sub: SubscriptionRecord, applicationId: string): Record<string, unknown> {
    return {
      id: sub.id,
      resource: sub.resource,
      applicationId,
      changeType: sub.changeType,
      clientState: sub.clientState,
      notificationUrl: sub.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: sub.lifecycleNotificationUrl,
      expirationDateTime: new Date(sub.expiresAt).toISOString().replace('Z', '0000Z'),
      creatorId: sub.accountId,
      includeResourceData: false,
      latestSupportedTlsVersion: 'v1_2',
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  /** Queues notifications for every live subscription that watches the changed calendar. */
  onEventChange(change: EventChange, defaultCalendarId: string, tenantId: string): void {
    if (this.closed) return;
    for (const sub of Object.values(this.state.subscriptions)) {
      if (sub.accountId !== change.accountId || sub.expiresAt <= this.now()) continue;
      if ((sub.calendarId ?? defaultCalendarId) !== change.calendarId) continue;
      if (!sub.changeType.split(',').includes(change.changeType)) continue;
      const resource = `Users/${change.accountId}/Events/${change.itemId}`;
      this.enqueue(sub, {
        id: randomUUID(),
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: formatUtcInstant(sub.expiresAt).replace('Z', '+00:00'),
        changeType: change.changeType,
        resource,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.Event',
          '@odata.id': resource,
          ...(change.changeKey ? { '@odata.etag': `W/"${change.changeKey}"` } : {}),
          id: change.itemId,
        },
        clientState: sub.clientState,
        tenantId,
      });
    }
  }

  private enqueue(sub: SubscriptionRecord, item: Record<string, unknown>): void {
    const existing = this.pending.get(sub.id);
    if (existing) {
      existing.items.push(item);
      return;
    }
    const timer = setTimeout(() => {
      const batch = this.pending.get(sub.id);
      this.pending.delete(sub.id);
      if (batch) this.track(this.deliver(sub.id, sub.notificationUrl, 'notification', { value: batch.items }, batch.items.length));
    }, this.deps.settings.notificationDelayMs);
    this.pending.set(sub.id, { items: [item], timer });
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async deliver(subscriptionId: string, url: string, kind: 'notification' | 'lifecycle', payload: unknown, items: number): Promise<void> {
    const attempts = Math.max(1, this.deps.settings.notificationMaxAttempts);
    for (let attempt = 1; attempt <= attempts && !this.closed; attempt++) {
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(3_000),
        });
        status = res.status;
        await res.arrayBuffer();
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
      } catch (e) {
        error = (e as Error).message;
      }
      this.record({ subscriptionId, url, kind, items, status, error });
      if (!error) return;
      this.deps.logger?.debug({ subscriptionId, attempt, error }, 'graph emulator: notification delivery failed');
      if (attempt < attempts) await this.sleep(this.deps.settings.notificationRetryDelayMs * 2 ** (attempt - 1));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  /** Sends a lifecycle notification; `subscriptionRemoved` also deletes the subscription. */
  async lifecycle(id: string, event: LifecycleEvent, tenantId: string): Promise<void> {
    const sub = this.get(id);
    if (event === 'subscriptionRemoved') this.remove(id);
    const url = sub.lifecycleNotificationUrl;
    if (!url) return;
    const payload = {
      value: [
        {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: formatUtcInstant(sub.expiresAt).replace('Z', '+00:00'),
          tenantId,
          clientState: sub.clientState,
          lifecycleEvent: event,
        },
      ],
    };
    const p = this.deliver(sub.id, url, 'lifecycle', payload, 1);
    this.track(p);
    await p;
  }

  /** Resolves when no notification is queued or being delivered (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight]);
      if (this.pending.size > 0) await new Promise((r) => setTimeout(r, Math.min(50, this.deps.settings.notificationDelayMs + 5)));
    }
  }

  close(): void {
    this.closed = true;
    for (const b of this.pending.values()) clearTimeout(b.timer);
    for (const t of this.timers) clearTimeout(t);
    this.pending.clear();
  }
}
