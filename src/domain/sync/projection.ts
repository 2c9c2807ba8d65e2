import type { Attendee, EventData } from '../appointment.js';
import type { ProviderSlug } from '../model.js';
import type { TenantSettings } from '../tenant-settings.js';
import { contentHash, type ComparableOptions } from './content.js';

/**
 * The two directions between the host's content and what a provider holds. Every rule of field
 * fidelity (docs/sync.md, "Fields") lives here, as pure functions, so that what is written outside
 * and what is read back are each other's inverse for every field that syncs:
 * `toHostContent(toProviderData(x)) ≈ x`, where ≈ is equality of `hostHash`.
 */
export interface ProjectionContext {
  settings: TenantSettings;
  provider: ProviderSlug;
  /** Lower-cased email → HostUser id of the tenant's users (attendee matching). */
  hostUserIdsByEmail: ReadonlyMap<string, string>;
}

/** What the host holds beyond `EventData` that influences what is written outside. */
export interface HostExtras {
  resources: string[];
  hostRecordId: string | null;
}

export function comparableOptions(_ctx: ProjectionContext): ComparableOptions {
  return { attendees: true };
}

/** Host content → the event written to the provider. */
export function toProviderData(content: EventData, _extras: HostExtras, _ctx: ProjectionContext): EventData {
  return {
    ...content,
    attendees: content.attendees.map((a) => ({ ...a, hostUserId: null })),
  };
}

/** A provider event → host content (attendees matched to the tenant's host users by email). */
export function toHostContent(providerData: EventData, ctx: ProjectionContext): EventData {
  return { ...providerData, attendees: matchAttendees(providerData.attendees, ctx.hostUserIdsByEmail) };
}

export function matchAttendees(attendees: Attendee[], hostUserIdsByEmail: ReadonlyMap<string, string>): Attendee[] {
  return attendees.map((a) => ({ ...a, hostUserId: hostUserIdsByEmail.get(a.email.trim().toLowerCase()) ?? null }));
}

/** The hash of the host's side of a pair. */
export function hostHash(content: EventData, ctx: ProjectionContext): string {
  return contentHash(content, comparableOptions(ctx));
}

/** The hash of the provider's side of a pair, as the host would receive it. */
export function providerHash(providerData: EventData, ctx: ProjectionContext): string {
  return contentHash(toHostContent(providerData, ctx), comparableOptions(ctx));
}
