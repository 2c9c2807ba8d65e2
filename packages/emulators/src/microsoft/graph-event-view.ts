import { DateTime } from 'luxon';
import { escapeHtml } from '../core/html.js';
import type { EventInstance } from './calendar-service.js';
import { extendedPropertyKey } from './event-input.js';
import { formatLocal, formatUtcInstant } from './graph-time.js';
import type { AccountRecord, CalendarRecord, ItemBody } from './microsoft-state.js';

/**
 * How Graph renders an event: `start`/`end` in UTC unless `Prefer: outlook.timezone` names a zone,
 * all-day events always in their own zone (docs/providers.md#graph-all-day-events), bodies as HTML
 * unless `Prefer: outlook.body-content-type="text"`, `transactionId` only when the app set it
 * (docs/providers.md#graph-hub-tag), extended properties and extensions only when `$expand`ed.
 */
export interface RenderOptions {
  /** The `Prefer: outlook.timezone` zone: IANA id for conversion and the name to echo. */
  preferZone: { iana: string; name: string } | null;
  bodyType: 'text' | 'html' | null;
  select: string[] | null;
  /** `$expand=singleValueExtendedProperties($filter=id eq '…')`: the property ids to include. */
  expandExtended: string[] | null;
  /** `$expand=extensions(...)`: extension ids to include (`[]` = all). */
  expandExtensions: string[] | null;
}

export const DEFAULT_RENDER: RenderOptions = { preferZone: null, bodyType: null, select: null, expandExtended: null, expandExtensions: null };

const decodeEntities = (s: string) => s.replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

export function htmlToText(html: string): string {
  const bodyMatch = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html);
  const inner = bodyMatch ? bodyMatch[1]! : html;
  return decodeEntities(
    inner
      .replace(/<(br|\/p|\/div)\s*\/?>/gi, '\r\n')
      .replace(/<[^>]+>/g, '')
      .replace(/\r\n\s*$/g, ''),
  ).trim();
}

export function textToHtml(text: string): string {
  const lines = text.split(/\r?\n/).map(escapeHtml).join('<br>\r\n');
  return `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n<div class="PlainText">${lines}</div>\r\n</body>\r\n</html>\r\n`;
}

function renderBody(body: ItemBody, wanted: 'text' | 'html' | null): ItemBody {
  if (wanted === 'text') return { contentType: 'text', content: body.contentType === 'text' ? body.content : htmlToText(body.content) };
  return { contentType: 'html', content: body.contentType === 'html' ? body.content : textToHtml(body.content) };
}

function renderTime(dtz: { dateTime: string; timeZone: string }, ms: number, isAllDay: boolean, prefer: RenderOptions['preferZone']): { dateTime: string; timeZone: string } {
  if (isAllDay) {
    const [date] = dtz.dateTime.split('T');
    return { dateTime: `${date}T00:00:00.0000000`, timeZone: dtz.timeZone };
  }
  if (!prefer) return { dateTime: formatLocal(DateTime.fromMillis(ms, { zone: 'UTC' })), timeZone: 'UTC' };
  return { dateTime: formatLocal(DateTime.fromMillis(ms, { zone: prefer.iana })), timeZone: prefer.name };
}

export const etagOf = (changeKey: string) => `W/"${changeKey}"`;

export function renderEvent(inst: EventInstance, ctx: { account: AccountRecord; calendar: CalendarRecord; origin: string }, opts: RenderOptions): Record<string, unknown> {
  const p = inst.props;
  const m = inst.master;
  const text = p.body.contentType === 'text' ? p.body.content : htmlToText(p.body.content);
  const full: Record<string, unknown> = {
    '@odata.etag': etagOf(inst.changeKey),
    id: inst.id,
    createdDateTime: new Date(inst.createdAt).toISOString().replace('Z', '0000Z'),
    lastModifiedDateTime: new Date(inst.lastModifiedAt).toISOString().replace('Z', '0000Z'),
    changeKey: inst.changeKey,
    categories: p.categories,
    ...(m.transactionId !== null ? { transactionId: m.transactionId } : {}),
    originalStartTimeZone: m.start.timeZone,
    originalEndTimeZone: m.end.timeZone,
    iCalUId: inst.originalStart === null ? m.iCalUId : `${m.iCalUId.slice(0, 32)}${DateTime.fromMillis(inst.originalStart, { zone: 'UTC' }).toFormat('yyyyLLdd')}${m.iCalUId.slice(40)}`,
    reminderMinutesBeforeStart: p.reminderMinutesBeforeStart,
    isReminderOn: p.isReminderOn,
    hasAttachments: false,
    subject: p.subject,
    bodyPreview: text.slice(0, 255),
    importance: p.importance,
    sensitivity: p.sensitivity,
    isAllDay: p.isAllDay,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: p.responseRequested,
    seriesMasterId: inst.kind === 'occurrence' || inst.kind === 'exception' ? m.id : null,
    showAs: p.showAs,
    type: inst.kind,
    webLink: `${ctx.origin}/owa/?itemid=${encodeURIComponent(inst.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: p.isOnlineMeeting,
    onlineMeetingProvider: p.onlineMeetingProvider,
    allowNewTimeProposals: p.allowNewTimeProposals,
    isDraft: false,
    hideAttendees: p.hideAttendees,
    responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
    body: renderBody(p.body, opts.bodyType),
    start: renderTime(p.start, inst.startMs, p.isAllDay, opts.preferZone),
    end: renderTime(p.end, inst.endMs, p.isAllDay, opts.preferZone),
    ...(inst.originalStart !== null ? { originalStart: formatUtcInstant(inst.originalStart) } : {}),
    location: p.location,
    locations: p.locations,
    recurrence: inst.kind === 'seriesMaster' ? m.recurrence : null,
    attendees: p.attendees,
    organizer: { emailAddress: { name: ctx.account.displayName, address: ctx.account.email } },
    onlineMeeting: null,
  };
  let out = full;
  if (opts.select) {
    const wanted = new Set(opts.select.map((s) => s.toLowerCase()));
    out = { '@odata.etag': full['@odata.etag'], id: full.id };
    for (const [k, v] of Object.entries(full)) if (wanted.has(k.toLowerCase())) out[k] = v;
  }
  if (opts.expandExtended) {
    const keys = opts.expandExtended.map(extendedPropertyKey);
    const props = inst.singleValueExtendedProperties.filter((e) => keys.includes(extendedPropertyKey(e.id)));
    // Graph omits the navigation property when the filter matched nothing.
    if (props.length > 0) out.singleValueExtendedProperties = props.map((e) => ({ id: e.id, value: e.value }));
  }
  if (opts.expandExtensions) {
    const ids = opts.expandExtensions.map((i) => i.toLowerCase());
    out.extensions = m.extensions.filter((x) => ids.length === 0 || ids.includes(String(x.id).toLowerCase()) || ids.includes(String(x.extensionName).toLowerCase()));
  }
  return out;
}

export function renderCalendar(c: CalendarRecord, owner: AccountRecord): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    color: c.color,
    hexColor: c.hexColor,
    isDefaultCalendar: c.isDefault,
    changeKey: c.changeKey,
    canShare: c.canEdit && c.isDefault,
    canViewPrivateItems: true,
    canEdit: c.canEdit,
    isRemovable: c.isRemovable,
    isTallyingResponses: c.canEdit,
    allowedOnlineMeetingProviders: [owner.kind === 'personal' ? 'skypeForConsumer' : 'teamsForBusiness'],
    defaultOnlineMeetingProvider: owner.kind === 'personal' ? 'skypeForConsumer' : 'teamsForBusiness',
    owner: { name: owner.displayName, address: owner.email },
  };
}

export function renderUser(a: AccountRecord): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: a.displayName,
    givenName: a.givenName,
    jobTitle: null,
    mail: a.email,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: a.surname,
    userPrincipalName: a.email,
    id: a.id,
  };
}
