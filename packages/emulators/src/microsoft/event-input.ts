import { GraphError, invalidRequest } from './graph-errors.js';
import { isoDate, parseLocal, requireZone, type DateTimeTimeZone } from './graph-time.js';
import type { Attendee, EventProps, ExtendedProperty, ItemBody } from './microsoft-state.js';
import { normalizeRecurrence, type PatternedRecurrence } from './recurrence-expander.js';

/**
 * Validation of event request bodies (POST/PATCH) the way Graph answers them: unknown properties
 * → 400 `RequestBodyRead`; read-only properties are ignored; bad enum values, time zones and
 * all-day rules (midnight in the same zone, end exclusive, at least a day:
 * docs/providers.md#graph-all-day-events) → 400.
 */

const READ_ONLY = new Set([
  'id',
  'changeKey',
  'createdDateTime',
  'lastModifiedDateTime',
  'iCalUId',
  'type',
  'seriesMasterId',
  'originalStart',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'webLink',
  'bodyPreview',
  'isOrganizer',
  'responseStatus',
  'hasAttachments',
  'organizer',
  'isCancelled',
  'onlineMeeting',
  'onlineMeetingUrl',
  'isDraft',
  'cancelledOccurrences',
  'exceptionOccurrences',
  'instances',
  'calendar',
  'attachments',
  'multiValueExtendedProperties',
]);

const ENUMS: Record<string, readonly string[]> = {
  showAs: ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'],
  sensitivity: ['normal', 'personal', 'private', 'confidential'],
  importance: ['low', 'normal', 'high'],
  onlineMeetingProvider: ['unknown', 'skypeForBusiness', 'skypeForConsumer', 'teamsForBusiness'],
};

export interface ParsedEventInput {
  props: Partial<EventProps>;
  recurrence?: PatternedRecurrence | null;
  transactionId?: string;
  extensions?: Record<string, unknown>[];
  singleValueExtendedProperties?: ExtendedProperty[];
}

export const OPEN_EXTENSION_PREFIX = 'Microsoft.OutlookServices.OpenTypeExtension.';

const unknownProperty = (name: string) =>
  new GraphError(
    400,
    'RequestBodyRead',
    `The property '${name}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw invalidRequest(`Invalid value for property '${field}': a string is expected.`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw invalidRequest(`Invalid value for property '${field}': a boolean is expected.`);
  return v;
}

function enumValue(v: unknown, field: string): string {
  const allowed = ENUMS[field]!;
  const found = typeof v === 'string' ? allowed.find((a) => a.toLowerCase() === v.toLowerCase()) : undefined;
  if (!found) throw new GraphError(400, 'RequestBodyRead', `Cannot convert the literal '${String(v)}' to the expected type 'microsoft.graph.${field === 'showAs' ? 'freeBusyStatus' : field}'.`);
  return found;
}

function dateTimeTimeZone(v: unknown, field: string): DateTimeTimeZone {
  if (typeof v !== 'object' || v === null) throw invalidRequest(`Invalid value for property '${field}'.`);
  const { dateTime, timeZone } = v as { dateTime?: unknown; timeZone?: unknown };
  const zoneName = timeZone === undefined || timeZone === null ? 'UTC' : str(timeZone, `${field}.timeZone`);
  const zone = requireZone(zoneName);
  if (typeof dateTime !== 'string' || !parseLocal(dateTime, zone)) throw invalidRequest(`The value '${String(dateTime)}' of '${field}.dateTime' is not a valid date and time.`);
  return { dateTime: dateTime.trim(), timeZone: zoneName.trim() };
}

function body(v: unknown): ItemBody {
  if (typeof v !== 'object' || v === null) throw invalidRequest("Invalid value for property 'body'.");
  const { contentType, content } = v as { contentType?: unknown; content?: unknown };
  const type = contentType === undefined ? 'text' : typeof contentType === 'string' ? contentType.toLowerCase() : '';
  if (type !== 'text' && type !== 'html') throw new GraphError(400, 'RequestBodyRead', `Cannot convert the literal '${String(contentType)}' to the expected type 'microsoft.graph.bodyType'.`);
  const text = content === undefined || content === null ? '' : str(content, 'body.content');
  return { contentType: type, content: type === 'html' ? wrapHtml(text) : text };
}

/** Graph stores HTML bodies as whole documents: it wraps what it is given in `<html><head>…` (docs/providers.md#graph-event-bodies). */
export function wrapHtml(content: string): string {
  if (/<html[\s>]/i.test(content)) return content;
  return `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${content}\r\n</body>\r\n</html>\r\n`;
}

function location(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw invalidRequest("Invalid value for property 'location'.");
  const l = v as Record<string, unknown>;
  const displayName = l.displayName === undefined || l.displayName === null ? '' : str(l.displayName, 'location.displayName');
  return {
    displayName,
    locationType: typeof l.locationType === 'string' ? l.locationType : 'default',
    uniqueId: typeof l.uniqueId === 'string' ? l.uniqueId : displayName || undefined,
    uniqueIdType: typeof l.uniqueIdType === 'string' ? l.uniqueIdType : displayName ? 'private' : 'unknown',
    ...(l.address && typeof l.address === 'object' ? { address: l.address } : {}),
    ...(l.coordinates && typeof l.coordinates === 'object' ? { coordinates: l.coordinates } : {}),
  };
}

function attendees(v: unknown): Attendee[] {
  if (!Array.isArray(v)) throw invalidRequest("Invalid value for property 'attendees': a collection is expected.");
  if (v.length > 500) throw invalidRequest('An event can have at most 500 attendees.');
  return v.map((a, i) => {
    const e = (a as { emailAddress?: { address?: unknown; name?: unknown } }).emailAddress;
    if (!e || typeof e.address !== 'string' || !e.address.includes('@')) throw invalidRequest(`attendees[${i}].emailAddress.address must be an email address.`);
    const type = (a as { type?: unknown }).type ?? 'required';
    if (type !== 'required' && type !== 'optional' && type !== 'resource') throw new GraphError(400, 'RequestBodyRead', `Cannot convert the literal '${String(type)}' to the expected type 'microsoft.graph.attendeeType'.`);
    return {
      type,
      emailAddress: { address: e.address, name: typeof e.name === 'string' ? e.name : e.address },
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
    };
  });
}

export function extendedProperties(v: unknown): ExtendedProperty[] {
  if (!Array.isArray(v)) throw invalidRequest("Invalid value for property 'singleValueExtendedProperties': a collection is expected.");
  return v.map((p) => {
    const { id, value } = (p ?? {}) as { id?: unknown; value?: unknown };
    if (typeof id !== 'string' || !/^(String|Integer|Boolean|SystemTime|Double|Binary|Guid|Long|Short|Float|Currency|CLSID)\s+(\{[0-9a-f-]{36}\}\s+(Name|Id)\s+\S.*|0x[0-9a-f]{1,4})$/i.test(id.trim())) {
      throw invalidRequest(`The extended property id '${String(id)}' is not valid.`);
    }
    if (typeof value !== 'string') throw invalidRequest('An extended property value must be a string.');
    return { id: id.trim(), value };
  });
}

/**
 * The stable identity of an extended property id: type and GUID case-insensitive, name case-sensitive
 * (https://learn.microsoft.com/graph/api/resources/extended-properties-overview).
 */
export function extendedPropertyKey(id: string): string {
  const m = /^(\S+)\s+\{([0-9a-f-]{36})\}\s+(Name|Id)\s+(.+)$/i.exec(id.trim());
  if (m) return `${m[1]!.toLowerCase()} {${m[2]!.toLowerCase()}} ${m[3]!.toLowerCase()} ${m[3]!.toLowerCase() === 'id' ? m[4]!.toLowerCase() : m[4]}`;
  return id.trim().toLowerCase();
}

export function openExtension(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw invalidRequest('An extension must be an object.');
  const ext = v as Record<string, unknown>;
  const name = ext.extensionName;
  if (typeof name !== 'string' || name.trim() === '') throw invalidRequest("The 'extensionName' property is required for an open extension.");
  const { '@odata.type': _type, id: _id, ...rest } = ext;
  return { ...rest, '@odata.type': '#microsoft.graph.openTypeExtension', extensionName: name, id: `${OPEN_EXTENSION_PREFIX}${name}` };
}

/**
 * Parses a create (`forCreate`) or update body. `current` holds the properties the result is
 * validated against (the stored event for PATCH), so a PATCH of `end` alone is checked with the
 * stored `start`.
 */
export function parseEventInput(raw: unknown, opts: { forCreate: boolean; current?: EventProps; occurrence?: boolean }): ParsedEventInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidRequest('The request body must be a JSON object.');
  const input = raw as Record<string, unknown>;
  const out: ParsedEventInput = { props: {} };
  const p = out.props;
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('@odata.') || key.includes('@odata.')) continue;
    if (READ_ONLY.has(key)) continue;
    switch (key) {
      case 'subject':
        p.subject = value === null ? '' : str(value, key);
        break;
      case 'body':
        p.body = body(value);
        break;
      case 'start':
      case 'end':
        p[key] = dateTimeTimeZone(value, key);
        break;
      case 'isAllDay':
      case 'isReminderOn':
      case 'isOnlineMeeting':
      case 'allowNewTimeProposals':
      case 'hideAttendees':
      case 'responseRequested':
        p[key] = bool(value, key);
        break;
      case 'location':
        p.location = value === null ? location({}) : location(value);
        p.locations = (p.location.displayName as string) ? [p.location] : [];
        break;
      case 'locations':
        if (!Array.isArray(value)) throw invalidRequest("Invalid value for property 'locations'.");
        p.locations = value.map(location);
        if (!('location' in input)) p.location = p.locations[0] ?? location({});
        break;
      case 'attendees':
        p.attendees = value === null ? [] : attendees(value);
        break;
      case 'reminderMinutesBeforeStart':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidRequest("Invalid value for property 'reminderMinutesBeforeStart'.");
        p.reminderMinutesBeforeStart = value;
        break;
      case 'categories':
        if (!Array.isArray(value) || value.some((c) => typeof c !== 'string')) throw invalidRequest("Invalid value for property 'categories'.");
        p.categories = value as string[];
        break;
      case 'showAs':
      case 'sensitivity':
      case 'importance':
      case 'onlineMeetingProvider':
        p[key] = enumValue(value, key);
        break;
      case 'recurrence':
        if (opts.occurrence) {
          if (value !== null) throw invalidRequest('The recurrence of an occurrence or exception cannot be set.');
          break;
        }
        out.recurrence = value as PatternedRecurrence | null; // validated below, against the final start
        break;
      case 'transactionId':
        if (value !== null) {
          out.transactionId = str(value, key);
          if (out.transactionId.length > 255) throw invalidRequest('transactionId must be at most 255 characters.');
        }
        break;
      case 'singleValueExtendedProperties':
        out.singleValueExtendedProperties = extendedProperties(value);
        break;
      case 'extensions':
        if (!opts.forCreate) throw invalidRequest("Open extensions of an existing event are changed through '/extensions'.");
        if (!Array.isArray(value)) throw invalidRequest("Invalid value for property 'extensions'.");
        out.extensions = value.map(openExtension);
        break;
      default:
        throw unknownProperty(key);
    }
  }

  const start = p.start ?? opts.current?.start;
  const end = p.end ?? opts.current?.end;
  if (opts.forCreate && (!start || !end)) throw invalidRequest('Your request can\'t be completed. The start and end of an event must both be specified.');
  if (start && end) {
    const isAllDay = p.isAllDay ?? opts.current?.isAllDay ?? false;
    const startZone = requireZone(start.timeZone);
    const endZone = requireZone(end.timeZone);
    const s = parseLocal(start.dateTime, startZone)!;
    const e = parseLocal(end.dateTime, endZone)!;
    if (isAllDay) {
      const midnight = (d: typeof s) => d.hour === 0 && d.minute === 0 && d.second === 0 && d.millisecond === 0;
      if (!midnight(s) || !midnight(e)) throw invalidRequest('Your request can\'t be completed. If an event is marked as all day, its start and end times must be set to midnight.');
      if (startZone !== endZone) throw invalidRequest('Your request can\'t be completed. The start and end of an all day event must be in the same time zone.');
      if (e.diff(s, 'days').days < 1) throw invalidRequest('The duration of an event marked as All day must be at least 24 hours.');
    } else if (e.toMillis() < s.toMillis()) {
      throw invalidRequest('Your request can\'t be completed. The end time of an event must be later than its start time.');
    }
    if (out.recurrence !== undefined && out.recurrence !== null) {
      out.recurrence = normalizeRecurrence(out.recurrence, isoDate(s), start.timeZone);
    }
  } else if (out.recurrence) {
    throw invalidRequest('A recurring event needs a start and an end.');
  }
  return out;
}
