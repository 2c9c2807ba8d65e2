import type { ConflictPolicy } from './model.js';

/**
 * Per-tenant settings the sync engine reads. Stored as one JSON value on the tenant; every field
 * has a default so a tenant created before a field existed still reads a complete object.
 */

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** What recurrence the host application can hold (product-behaviours.md, "Recurring appointments"). */
export interface HostProfile {
  /** `FULL`: series sync; `FIRST_OCCURRENCE_ONLY`: only the first occurrence; `NONE`: series never sync. */
  recurrence: 'FULL' | 'FIRST_OCCURRENCE_ONLY' | 'NONE';
  supportsDaily: boolean;
  supportsExceptions: boolean;
  /** The host's first day of the week; changes the meaning of `INTERVAL>1` weekly rules with several days. */
  weekStart: Weekday;
  /** Whether the host can hold a series without an end; otherwise the end is set this many years ahead. */
  supportsEndless: boolean;
  endlessHorizonYears: number;
}

export interface PollingSettings {
  activeIntervalMinutes: number;
  inactiveIntervalMinutes: number;
  /** A host user counts as active when the host touched one of their appointments within this many days. */
  activeWithinDays: number;
}

export interface TitleMarkers {
  enabled: boolean;
  /** Prefix for items that came from the host, e.g. "[S]". */
  host: string;
  /** Prefix for items that came from Outlook, e.g. "[O]". */
  microsoft: string;
  /** Prefix for items that came from Google, e.g. "[G]". */
  google: string;
}

export interface SyncWindow {
  /** Days before now that inbound and initial sync look at. */
  pastDays: number;
  /** Days after now that inbound and initial sync look at. */
  futureDays: number;
}

export interface TenantSettings {
  polling: PollingSettings;
  conflictPolicy: ConflictPolicy;
  /** When one side deleted and the other edited, the deletion wins. */
  deletionWins: boolean;
  hostProfile: HostProfile;
  titleMarkers: TitleMarkers;
  /** e.g. `https://crm.example.com/leads/{hostRecordId}`; `null` for no link. */
  recordLinkTemplate: string | null;
  recordLinkLabel: string;
  syncWindow: SyncWindow;
  /** Whether new links sync both ways (a link can override it). */
  twoWayByDefault: boolean;
  /**
   * Origins (`https://crm.example.com`: scheme, host, port) that `linkCalendar`'s `returnTo` may
   * point to; the browser is sent there after the sign-in, so any other is refused. Empty: none.
   */
  returnToOrigins: string[];
}

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  polling: { activeIntervalMinutes: 3, inactiveIntervalMinutes: 50, activeWithinDays: 14 },
  conflictPolicy: 'LATEST_WINS',
  deletionWins: true,
  hostProfile: {
    recurrence: 'FULL',
    supportsDaily: true,
    supportsExceptions: true,
    weekStart: 'MO',
    supportsEndless: true,
    endlessHorizonYears: 10,
  },
  titleMarkers: { enabled: false, host: '[S]', microsoft: '[O]', google: '[G]' },
  recordLinkTemplate: null,
  recordLinkLabel: 'Open in CRM',
  syncWindow: { pastDays: 30, futureDays: 365 },
  twoWayByDefault: true,
  returnToOrigins: [],
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
export type TenantSettingsPatch = DeepPartial<TenantSettings>;

/** Merges a stored or patched value over the defaults (objects merge, scalars replace). */
export function mergeTenantSettings(base: TenantSettings, patch: TenantSettingsPatch | null | undefined): TenantSettings {
  if (!patch) return structuredClone(base);
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
      out[key] = { ...(current as object), ...Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) };
    } else {
      out[key] = value;
    }
  }
  return out as unknown as TenantSettings;
}

/** Longest record link template (it becomes a URL in every synced event's body). */
export const RECORD_LINK_TEMPLATE_MAX_LENGTH = 2_000;
/** Most return origins one tenant may allow. */
export const MAX_RETURN_TO_ORIGINS = 20;

/** `value` as an origin when it is exactly one (`https://host[:port]`, no path, no credentials), else null. */
export function asOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin === value.replace(/\/$/, '').toLowerCase() ? url.origin : null;
  } catch {
    return null;
  }
}

export interface SettingsProblem {
  field: string;
  message: string;
}

/** Checks the rules that a type system cannot: ranges, template placeholders. */
export function validateTenantSettings(s: TenantSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const range = (field: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) problems.push({ field, message: `must be an integer between ${min} and ${max}` });
  };
  range('polling.activeIntervalMinutes', s.polling.activeIntervalMinutes, 1, 1440);
  range('polling.inactiveIntervalMinutes', s.polling.inactiveIntervalMinutes, 1, 10080);
  range('polling.activeWithinDays', s.polling.activeWithinDays, 1, 365);
  if (s.polling.inactiveIntervalMinutes < s.polling.activeIntervalMinutes) {
    problems.push({ field: 'polling.inactiveIntervalMinutes', message: 'must not be shorter than polling.activeIntervalMinutes' });
  }
  range('syncWindow.pastDays', s.syncWindow.pastDays, 0, 3650);
  range('syncWindow.futureDays', s.syncWindow.futureDays, 1, 3650);
  range('hostProfile.endlessHorizonYears', s.hostProfile.endlessHorizonYears, 1, 100);
  for (const [k, v] of Object.entries({ host: s.titleMarkers.host, microsoft: s.titleMarkers.microsoft, google: s.titleMarkers.google })) {
    if (v.length > 16) problems.push({ field: `titleMarkers.${k}`, message: 'must be at most 16 characters' });
  }
  if (s.recordLinkTemplate !== null) {
    if (s.recordLinkTemplate.length > RECORD_LINK_TEMPLATE_MAX_LENGTH) {
      problems.push({ field: 'recordLinkTemplate', message: `must be at most ${RECORD_LINK_TEMPLATE_MAX_LENGTH} characters` });
    } else if (!s.recordLinkTemplate.includes('{hostRecordId}')) {
      problems.push({ field: 'recordLinkTemplate', message: 'must contain the {hostRecordId} placeholder' });
    } else {
      try {
        const u = new URL(s.recordLinkTemplate.replaceAll('{hostRecordId}', 'x'));
        if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
      } catch {
        problems.push({ field: 'recordLinkTemplate', message: 'must be an http(s) URL template' });
      }
    }
  }
  if (s.recordLinkLabel.trim() === '' || s.recordLinkLabel.length > 64) {
    problems.push({ field: 'recordLinkLabel', message: 'must be 1 to 64 characters' });
  }
  if (s.returnToOrigins.length > MAX_RETURN_TO_ORIGINS) problems.push({ field: 'returnToOrigins', message: `must hold at most ${MAX_RETURN_TO_ORIGINS} origins` });
  s.returnToOrigins.forEach((origin, i) => {
    if (origin.length > 200 || asOrigin(origin) === null) {
      problems.push({ field: `returnToOrigins[${i}]`, message: 'must be an origin such as "https://crm.example.com" (http or https, host and port only, no path)' });
    }
  });
  return problems;
}
