import { ApiKey } from './api-key.entity.js';
import { AppointmentChange } from './appointment-change.entity.js';
import { Appointment } from './appointment.entity.js';
import { BaseEntity } from './base.entity.js';
import { BusyCalendar } from './busy-calendar.entity.js';
import { BusyEvent } from './busy-event.entity.js';
import { Calendar } from './calendar.entity.js';
import { Conflict } from './conflict.entity.js';
import { Connection } from './connection.entity.js';
import { HostUser } from './host-user.entity.js';
import { IcsFeed } from './ics-feed.entity.js';
import { OAuthState } from './oauth-state.entity.js';
import { PushSubscription } from './push-subscription.entity.js';
import { Sequence } from './sequence.entity.js';
import { SyncIssue } from './sync-issue.entity.js';
import { SyncMapping } from './sync-mapping.entity.js';
import { SyncRun } from './sync-run.entity.js';
import { Tenant } from './tenant.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

export {
  ApiKey,
  Appointment,
  AppointmentChange,
  BaseEntity,
  BusyCalendar,
  BusyEvent,
  Calendar,
  Conflict,
  Connection,
  HostUser,
  IcsFeed,
  OAuthState,
  PushSubscription,
  Sequence,
  SyncIssue,
  SyncMapping,
  SyncRun,
  Tenant,
  WebhookDelivery,
  WebhookEndpoint,
};

/** Every entity of the store, for ORM discovery (same list on both drivers). */
export const ENTITIES = [
  BaseEntity,
  Tenant,
  ApiKey,
  HostUser,
  Connection,
  Calendar,
  Appointment,
  SyncMapping,
  Conflict,
  SyncIssue,
  SyncRun,
  OAuthState,
  AppointmentChange,
  Sequence,
  PushSubscription,
  WebhookEndpoint,
  WebhookDelivery,
  IcsFeed,
  BusyCalendar,
  BusyEvent,
];
