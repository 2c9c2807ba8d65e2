import { createHash } from 'node:crypto';
import {
  TOPICS,
  type AppointmentChangedPayload,
  type ConflictDetectedPayload,
  type ConnectionStatusChangedPayload,
  type SyncIssueRaisedPayload,
  type SyncRunChangedPayload,
} from '../events/pubsub-topics.js';

/**
 * The event types a webhook endpoint can subscribe to, each fed by one event topic and carrying as
 * `data` the object of the matching GraphQL subscription field (the same resolver builds both, see
 * src/api/webhooks/webhook-data.ts).
 */
export const WEBHOOK_EVENT_TYPES = [
  'appointment.changed',
  'sync_issue.raised',
  'sync_issue.resolved',
  'conflict.detected',
  'connection.status_changed',
  'sync_run.finished',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What every topic payload carries. */
export interface EventPayload {
  tenantId: string;
  at: string;
}

/** A payload of the source's topic. */
const as = <T>(payload: EventPayload) => payload as unknown as T;

export interface WebhookEventSource {
  type: WebhookEventType;
  /** The topic that feeds it. */
  topic: string;
  /** The GraphQL subscription field whose object is the webhook's `data`. */
  subscriptionField: string;
  /** Events of the topic that are not this type (a run's STARTED and PROGRESS). */
  accepts?: (payload: EventPayload) => boolean;
  /** Deliveries with the same key reach an endpoint in order; null: no order among them. */
  orderingKey: (payload: EventPayload) => string | null;
}

export const WEBHOOK_EVENT_SOURCES: readonly WebhookEventSource[] = [
  {
    type: 'appointment.changed',
    topic: TOPICS.APPOINTMENT_CHANGED,
    subscriptionField: 'appointmentChanged',
    orderingKey: (p) => `appointment:${as<AppointmentChangedPayload>(p).appointmentId}`,
  },
  {
    type: 'sync_issue.raised',
    topic: TOPICS.SYNC_ISSUE_RAISED,
    subscriptionField: 'syncIssueRaised',
    orderingKey: (p) => `sync-issue:${as<SyncIssueRaisedPayload>(p).syncIssueId}`,
  },
  {
    type: 'sync_issue.resolved',
    topic: TOPICS.SYNC_ISSUE_RESOLVED,
    subscriptionField: 'syncIssueResolved',
    orderingKey: (p) => `sync-issue:${as<SyncIssueRaisedPayload>(p).syncIssueId}`,
  },
  {
    type: 'conflict.detected',
    topic: TOPICS.CONFLICT_DETECTED,
    subscriptionField: 'conflictDetected',
    orderingKey: (p) => `appointment:${as<ConflictDetectedPayload>(p).appointmentId}`,
  },
  {
    type: 'connection.status_changed',
    topic: TOPICS.CONNECTION_STATUS_CHANGED,
    subscriptionField: 'connectionStatusChanged',
    orderingKey: (p) => `connection:${as<ConnectionStatusChangedPayload>(p).connectionId}`,
  },
  {
    type: 'sync_run.finished',
    topic: TOPICS.SYNC_RUN_CHANGED,
    subscriptionField: 'syncStatus',
    // A run ends FINISHED (SUCCEEDED / PARTIAL) or FAILED; both end it.
    accepts: (p) => ['FINISHED', 'FAILED'].includes(as<SyncRunChangedPayload>(p).phase),
    orderingKey: () => null,
  },
];

/**
 * The `webhook-id` of an event: derived from the event itself, so every hub instance that sees it
 * (they all do, on MongoDB) names it alike and the endpoint gets it once; the same on every retry.
 */
export function webhookIdOf(type: WebhookEventType, payload: unknown): string {
  return `msg_${createHash('sha256').update(type).update('\n').update(JSON.stringify(payload)).digest('base64url').slice(0, 27)}`;
}
