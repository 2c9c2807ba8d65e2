import { registerEnumType } from 'type-graphql';
import { ATTENDEE_RESPONSES, REMINDER_METHODS, SENSITIVITIES, SHOW_AS } from '../../domain/appointment.js';
import {
  APPOINTMENT_ORIGINS,
  CONFLICT_CHOICES,
  CONFLICT_STATUSES,
  ISSUE_SEVERITIES,
  MAPPING_STATES,
  SYNC_DIRECTIONS,
  SYNC_RUN_OUTCOMES,
  SYNC_TRIGGERS,
} from '../../domain/model.js';
import { SYNC_ISSUE_CODES } from '../../domain/sync-issue.js';
import { DRIFT_KINDS } from '../../domain/sync-drift.js';
import type { ConflictKind } from '../../domain/sync/decision.js';
import type { SyncRunPhase } from '../../events/pubsub-topics.js';
import { APPOINTMENT_SYNC_STATES } from '../../sync/appointment.service.js';
import { LINK_SYNC_STATES } from '../../sync/link-sync-state.js';
import { enumFrom } from '../enums.js';

/** GraphQL enums of appointments and the sync engine (same values as the domain's vocabularies). */

export const BODY_CONTENT_TYPES = ['TEXT', 'HTML'] as const;
export const BodyContentTypeEnum = enumFrom(BODY_CONTENT_TYPES);
registerEnumType(BodyContentTypeEnum, { name: 'BodyContentType', description: 'TEXT: plain text. HTML: an HTML fragment or document.' });

export const ShowAsEnum = enumFrom(SHOW_AS);
registerEnumType(ShowAsEnum, { name: 'ShowAs', description: 'How the time shows in free/busy views. Google Calendar keeps only free or busy: every value but FREE shows as busy there.' });

export const SensitivityEnum = enumFrom(SENSITIVITIES);
registerEnumType(SensitivityEnum, { name: 'Sensitivity', description: 'Who may see the details of the appointment in the calendar.' });

export const ReminderMethodEnum = enumFrom(REMINDER_METHODS);
registerEnumType(ReminderMethodEnum, { name: 'ReminderMethod', description: 'POPUP: a notification on the device. EMAIL: an email (Google Calendar; Outlook holds one popup reminder, the earliest).' });

export const AttendeeResponseEnum = enumFrom(ATTENDEE_RESPONSES);
registerEnumType(AttendeeResponseEnum, {
  name: 'AttendeeResponse',
  description: "An attendee's answer as the calendar reports it. Reset to NEEDS_ACTION when the time of the meeting changes.",
});

export const AppointmentOriginEnum = enumFrom(APPOINTMENT_ORIGINS);
registerEnumType(AppointmentOriginEnum, {
  name: 'AppointmentOrigin',
  description: 'Where an appointment (or a change of it) was made: HOST (through this API), MICROSOFT (Outlook) or GOOGLE (Google Calendar).',
});

export const AppointmentSyncStateEnum = enumFrom(APPOINTMENT_SYNC_STATES);
registerEnumType(AppointmentSyncStateEnum, {
  name: 'AppointmentSyncState',
  description: "The state of the appointment's live pair with its owner's primary calendar (see SyncMappingState), or NONE when it has none: the owner has no primary calendar, or the appointment predates the link and was not edited since.",
});

export const SyncMappingStateEnum = enumFrom(MAPPING_STATES);
registerEnumType(SyncMappingStateEnum, {
  name: 'SyncMappingState',
  description:
    'SYNCED: both sides held the same content at the last sync. PENDING: a host change waits to be written. WAITING: it waits for the link (NEEDS_REAUTH) and goes out after the relink. CONFLICT: both sides changed and the MANUAL policy holds the pair until resolveConflict. UNSUPPORTED: the calendar cannot hold the item as it is (tried again when the host changes it). ERROR: the last attempt failed for this item (see lastError); it is tried again at nextAttemptAt.',
});

export const SyncTriggerEnum = enumFrom(SYNC_TRIGGERS);
registerEnumType(SyncTriggerEnum, {
  name: 'SyncTrigger',
  description: "POLL: the link's recurring read. PUSH: a provider notification. MANUAL: syncNow (or enableTwoWaySync). OUTBOUND: host writes going out. CLEANUP: cleanupSyncedEvents. INITIAL: the link's first run. VERIFY: verifySync.",
});

export const SyncDriftKindEnum = enumFrom(DRIFT_KINDS);
registerEnumType(SyncDriftKindEnum, {
  name: 'SyncDriftKind',
  description:
    "What a verify run found. MISSING_AT_PROVIDER: a live appointment that should be in the calendar has no event there. MISSING_IN_HOST: an event that the host should hold has no live appointment (one the user made that was never imported, or one of the hub's events whose appointment is deleted). DUPLICATE: a second event carries the hub's tag for one appointment. CONTENT_DIFFERS: a synced appointment and its event hold different content. ORPHANED_MAPPING: a pair out of step with its sides (its appointment is gone or deleted, or an appointment and the hub's event for it exist without a pair joining them).",
});

export const SyncDirectionEnum = enumFrom(SYNC_DIRECTIONS);
registerEnumType(SyncDirectionEnum, { name: 'SyncDirection', description: 'INBOUND: calendar → host. OUTBOUND: host → calendar. BOTH: a read of the calendar followed by the pending writes.' });

export const SyncRunOutcomeEnum = enumFrom(SYNC_RUN_OUTCOMES);
registerEnumType(SyncRunOutcomeEnum, {
  name: 'SyncRunOutcome',
  description: 'RUNNING: queued or in progress. SUCCEEDED: done without errors. PARTIAL: done, some items failed (they are retried). FAILED: the run stopped (see error).',
});

export const SYNC_RUN_PHASES = ['STARTED', 'PROGRESS', 'FINISHED', 'FAILED'] as const satisfies readonly SyncRunPhase[];
export const SyncRunPhaseEnum = enumFrom(SYNC_RUN_PHASES);
registerEnumType(SyncRunPhaseEnum, {
  name: 'SyncRunPhase',
  description: 'STARTED once, PROGRESS with the counts so far (at most every 250 ms), then FINISHED (outcome SUCCEEDED or PARTIAL) or FAILED.',
});

export const CONFLICT_KINDS = ['EDIT_EDIT', 'HOST_DELETED_PROVIDER_EDITED', 'HOST_EDITED_PROVIDER_DELETED'] as const satisfies readonly ConflictKind[];
export const ConflictKindEnum = enumFrom(CONFLICT_KINDS);
registerEnumType(ConflictKindEnum, {
  name: 'ConflictKind',
  description: 'What moved on each side since the last sync: EDIT_EDIT (edited on both), HOST_DELETED_PROVIDER_EDITED, HOST_EDITED_PROVIDER_DELETED.',
});

export const ConflictStatusEnum = enumFrom(CONFLICT_STATUSES);
registerEnumType(ConflictStatusEnum, { name: 'ConflictStatus', description: 'OPEN: held for resolveConflict (MANUAL policy). RESOLVED: decided by the policy or by resolveConflict.' });

export const ConflictChoiceEnum = enumFrom(CONFLICT_CHOICES);
registerEnumType(ConflictChoiceEnum, {
  name: 'ConflictChoice',
  description: "HOST: the host's version is written to the calendar. PROVIDER: the calendar's version is applied to the host. DELETE: the appointment is deleted on both sides.",
});

export const ConnectionSyncStateEnum = enumFrom(LINK_SYNC_STATES);
registerEnumType(ConnectionSyncStateEnum, {
  name: 'ConnectionSyncState',
  description:
    "What a link's sync is doing, the first that applies: PAUSED (the link is not ACTIVE: nothing syncs until it is relinked), SYNCING (a run holds the link's lease now), HELD (a read wanted to delete more than half of the link's synced items: see deletionsHeld and syncNow(confirmDeletions: true)), ERROR (the last finished run FAILED, or items are in ERROR: see syncRuns and syncMappings(filter: { state: ERROR })), PENDING (host changes wait to be written), IDLE (in sync; the next poll is at nextSyncAt).",
});

export const SyncIssueCodeEnum = enumFrom(SYNC_ISSUE_CODES);
registerEnumType(SyncIssueCodeEnum, {
  name: 'SyncIssueCode',
  description:
    'Stable codes of the notices users get: hosts key their own texts and help links on them (message and tip already say what happened and what to do). Series a side cannot hold: RECURRENCE_NOT_REPRESENTABLE (the message names the part), HOST_NO_SERIES, HOST_FIRST_OCCURRENCE_ONLY, HOST_NO_DAILY_RECURRENCE, HOST_NO_EXCEPTIONS, HOST_WEEK_START_MISMATCH, ENDLESS_SERIES_CAPPED (the host profile), SERIES_EXCEPTIONS_DROPPED (a calendar dropped changed occurrences of a series whose time or rule changed). Other items: EVENT_TYPE_UNSUPPORTED (a calendar item that cannot be an appointment). Links: RELINK_REQUIRED, ACCOUNT_UNSUPPORTED, CALENDAR_READ_ONLY, MASS_DELETION_HELD.',
});

export const IssueSeverityEnum = enumFrom(ISSUE_SEVERITIES);
registerEnumType(IssueSeverityEnum, { name: 'IssueSeverity', description: 'BLOCKING: the item (or link) does not sync until the cause is fixed. WARNING: it syncs, with the difference the message describes.' });
