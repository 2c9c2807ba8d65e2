import { randomBytes } from 'node:crypto';
import type { EmulatorAccount } from '../../types.js';
import { calendarErrors } from '../google-api.errors.js';
import { newEtag, subjectFor, type GoogleContext } from '../google-context.js';
import { listKey, type AccessRole, type AccountRecord, type CalendarListEntryRecord, type CalendarRecord } from '../google-state.js';
import { isValidZone } from '../recurrence/zoned-time.js';
import { decodePageToken, decodeSyncToken, encodePageToken, encodeSyncToken } from './list-tokens.js';

/**
 * Accounts, their calendars and calendarList.
 * https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/list
 */

type Json = Record<string, unknown>;

const ROLE_RANK: Record<AccessRole, number> = { freeBusyReader: 0, reader: 1, writer: 2, owner: 3 };
const COLORS: [string, string][] = [
  ['#9fe1e7', '#000000'],
  ['#7bd148', '#000000'],
  ['#fad165', '#000000'],
  ['#ac725e', '#000000'],
  ['#4986e7', '#000000'],
  ['#f691b2', '#000000'],
];

export class AccountInputError extends Error {}

export interface CreateAccountInput {
  email: string;
  displayName?: string;
  timeZone?: string;
  /** Also create a second, owned calendar (default true). */
  secondaryCalendar?: boolean;
}

export interface CreateCalendarInput {
  summary: string;
  timeZone?: string;
  description?: string;
  /** Defaults to owner. A reader calendar is a shared calendar owned by nobody. */
  accessRole?: AccessRole;
  hidden?: boolean;
  id?: string;
}

export class GoogleCalendarListService {
  constructor(private readonly ctx: GoogleContext) {}

  private get state() {
    return this.ctx.state;
  }

  toEmulatorAccount(a: AccountRecord): EmulatorAccount {
    const entries = Object.values(this.state.calendarList).filter((e) => e.accountId === a.id && !e.deleted);
    const ids = entries.map((e) => e.calendarId).sort((x, y) => (x === a.email ? -1 : y === a.email ? 1 : 0));
    return { id: a.id, email: a.email, displayName: a.displayName, calendarIds: ids };
  }

  listAccounts(): EmulatorAccount[] {
    return Object.values(this.state.accounts)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((a) => this.toEmulatorAccount(a));
  }

  createAccount(input: CreateAccountInput): EmulatorAccount {
    const email = input.email?.trim();
    if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new AccountInputError('a valid email is required');
    if (Object.values(this.state.accounts).some((a) => a.email.toLowerCase() === email.toLowerCase())) throw new AccountInputError(`account ${email} exists`);
    const timeZone = input.timeZone ?? 'UTC';
    if (!isValidZone(timeZone)) throw new AccountInputError(`unknown time zone ${timeZone}`);
    const local = email.split('@')[0] ?? email;
    const displayName = input.displayName ?? local.replace(/[._-]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
    const [givenName = displayName, ...rest] = displayName.split(' ');
    const account: AccountRecord = {
      id: subjectFor(email),
      email,
      displayName,
      hasProfileName: input.displayName !== undefined,
      givenName,
      familyName: rest.join(' '),
      timeZone,
      createdAt: this.ctx.now(),
    };
    this.state.accounts[account.id] = account;
    this.addCalendar(account, { id: email, summary: email, timeZone }, 'owner', true, false);
    if (input.secondaryCalendar ?? true) {
      this.addCalendar(account, { id: `${randomBytes(16).toString('hex')}@group.calendar.google.com`, summary: `${givenName}'s Team`, timeZone }, 'owner', false, false);
    }
    this.ctx.changed();
    return this.toEmulatorAccount(account);
  }

  createCalendar(accountId: string, input: CreateCalendarInput): Json {
    const account = this.state.accounts[accountId];
    if (!account) throw new AccountInputError(`unknown account ${accountId}`);
    if (!input.summary) throw new AccountInputError('summary is required');
    const timeZone = input.timeZone ?? account.timeZone;
    if (!isValidZone(timeZone)) throw new AccountInputError(`unknown time zone ${timeZone}`);
    const role = input.accessRole ?? 'owner';
    if (!(role in ROLE_RANK)) throw new AccountInputError(`unknown access role ${role}`);
    const id = input.id ?? `${randomBytes(16).toString('hex')}@group.calendar.google.com`;
    this.addCalendar(account, { id, summary: input.summary, timeZone, ...(input.description ? { description: input.description } : {}) }, role, false, input.hidden ?? false);
    this.ctx.changed();
    return this.renderEntry(this.entryOf(accountId, id));
  }

  /** Adds an entry for a calendar (created if new) to an account's list. */
  addCalendar(account: AccountRecord, cal: { id: string; summary: string; timeZone: string; description?: string }, role: AccessRole, primary: boolean, hidden: boolean): void {
    if (!this.state.calendars[cal.id]) {
      const record: CalendarRecord = {
        id: cal.id,
        summary: cal.summary,
        description: cal.description ?? null,
        timeZone: cal.timeZone,
        ownerAccountId: role === 'owner' ? account.id : null,
        primary,
        syncEpoch: 1,
        updated: this.ctx.now(),
        events: {},
      };
      this.state.calendars[cal.id] = record;
    }
    const count = Object.values(this.state.calendarList).filter((e) => e.accountId === account.id).length;
    const [bg, fg] = COLORS[count % COLORS.length] ?? ['#9fe1e7', '#000000'];
    const entry: CalendarListEntryRecord = {
      accountId: account.id,
      calendarId: cal.id,
      accessRole: role,
      colorId: String((count % 24) + 1),
      backgroundColor: bg,
      foregroundColor: fg,
      hidden,
      selected: !hidden,
      deleted: false,
      summaryOverride: null,
      defaultReminders: role === 'owner' || role === 'writer' ? [{ method: 'popup', minutes: 10 }] : [],
      changeSeq: this.ctx.nextSeq(),
      etag: '',
    };
    entry.etag = newEtag(this.ctx);
    this.state.calendarList[listKey(account.id, cal.id)] = entry;
  }

  /** Removes a calendar from an account's list (the entry stays as deleted for sync). */
  removeCalendar(accountId: string, calendarId: string): void {
    const entry = this.entryOf(accountId, calendarId);
    if (entry.accessRole === 'owner' && this.state.calendars[calendarId]?.primary) throw new AccountInputError('the primary calendar cannot be removed');
    entry.deleted = true;
    entry.changeSeq = this.ctx.nextSeq();
    entry.etag = newEtag(this.ctx);
    this.ctx.changed();
  }

  /** Invalidates every events sync token of a calendar, or of all calendars of an account. */
  invalidateSyncTokens(input: { accountId?: string; calendarId?: string }): { calendars: number } {
    let ids: string[];
    if (input.calendarId) ids = [input.calendarId];
    else if (input.accountId) ids = Object.values(this.state.calendarList).filter((e) => e.accountId === input.accountId).map((e) => e.calendarId);
    else ids = Object.keys(this.state.calendars);
    let n = 0;
    for (const id of ids) {
      const cal = this.state.calendars[id];
      if (!cal) continue;
      cal.syncEpoch += 1;
      n++;
    }
    this.ctx.changed();
    return { calendars: n };
  }

  private entryOf(accountId: string, calendarParam: string): CalendarListEntryRecord {
    const account = this.state.accounts[accountId];
    if (!account) throw calendarErrors.notFound();
    const id = calendarParam === 'primary' ? account.email : calendarParam;
    const entry = this.state.calendarList[listKey(accountId, id)];
    if (!entry) throw calendarErrors.notFound();
    return entry;
  }

  renderEntry(entry: CalendarListEntryRecord): Json {
    const cal = this.state.calendars[entry.calendarId];
    if (entry.deleted) return { kind: 'calendar#calendarListEntry', etag: entry.etag, id: entry.calendarId, deleted: true };
    return {
      kind: 'calendar#calendarListEntry',
      etag: entry.etag,
      id: entry.calendarId,
      summary: cal?.summary ?? entry.calendarId,
      ...(cal?.description ? { description: cal.description } : {}),
      ...(entry.summaryOverride ? { summaryOverride: entry.summaryOverride } : {}),
      timeZone: cal?.timeZone ?? 'UTC',
      colorId: entry.colorId,
      backgroundColor: entry.backgroundColor,
      foregroundColor: entry.foregroundColor,
      ...(entry.hidden ? { hidden: true } : {}),
      ...(entry.selected ? { selected: true } : {}),
      accessRole: entry.accessRole,
      defaultReminders: entry.defaultReminders,
      ...(entry.accessRole === 'owner' ? { notificationSettings: { notifications: [{ type: 'eventCreation', method: 'email' }] } } : {}),
      ...(cal?.primary && cal.ownerAccountId === entry.accountId ? { primary: true } : {}),
      conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    };
  }

  getEntry(accountId: string, calendarParam: string): Json {
    const entry = this.entryOf(accountId, calendarParam);
    if (entry.deleted) throw calendarErrors.notFound();
    return this.renderEntry(entry);
  }

  getCalendar(accountId: string, calendarParam: string): Json {
    const entry = this.entryOf(accountId, calendarParam);
    const cal = this.state.calendars[entry.calendarId];
    if (entry.deleted || !cal) throw calendarErrors.notFound();
    return {
      kind: 'calendar#calendar',
      etag: entry.etag,
      id: cal.id,
      summary: cal.summary,
      ...(cal.description ? { description: cal.description } : {}),
      timeZone: cal.timeZone,
      conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    };
  }

  listEntries(accountId: string, raw: Json): Json {
    if (!this.state.accounts[accountId]) throw calendarErrors.notFound();
    const str = (k: string) => {
      const v = raw[k];
      return v === undefined || v === null ? undefined : String(Array.isArray(v) ? v[v.length - 1] : v);
    };
    const bool = (k: string) => {
      const v = str(k);
      if (v === undefined) return undefined;
      if (v !== 'true' && v !== 'false') throw calendarErrors.invalidParameter(k, v);
      return v === 'true';
    };
    const maxRaw = str('maxResults');
    if (maxRaw !== undefined && (!/^\d+$/.test(maxRaw) || Number(maxRaw) < 1)) throw calendarErrors.invalidParameter('maxResults', maxRaw);
    const maxResults = Math.min(maxRaw ? Number(maxRaw) : 100, 250);
    const minAccessRole = str('minAccessRole') as AccessRole | undefined;
    if (minAccessRole !== undefined && !(minAccessRole in ROLE_RANK)) throw calendarErrors.invalidParameter('minAccessRole', minAccessRole);
    const syncToken = str('syncToken');
    const secret = this.state.tokenSecret;
    if (syncToken !== undefined && (minAccessRole !== undefined || str('showOwnOrganizationOnly') !== undefined)) {
      throw calendarErrors.invalid('The parameter minAccessRole cannot be used together with syncToken.', 'minAccessRole');
    }
    const fingerprint = JSON.stringify([minAccessRole ?? null, str('showDeleted') ?? null, str('showHidden') ?? null]);
    const pageToken = str('pageToken');
    const page = pageToken !== undefined ? decodePageToken(secret, pageToken) : null;
    if (pageToken !== undefined && (!page || page.query !== fingerprint)) throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
    let since: number | null = page ? page.since : null;
    if (!page && syncToken !== undefined) {
      const p = decodeSyncToken(secret, syncToken);
      if (!p || p.kind !== 'l' || p.account !== accountId || p.seq > this.state.seq) throw calendarErrors.fullSyncRequired();
      since = p.seq;
    }
    const snapshot = page?.snapshot ?? this.state.seq;
    const showDeleted = since !== null || (bool('showDeleted') ?? false);
    const showHidden = since !== null || (bool('showHidden') ?? false);
    const entries = Object.values(this.state.calendarList)
      .filter((e) => e.accountId === accountId)
      .filter((e) => since === null || e.changeSeq > since)
      .filter((e) => showDeleted || !e.deleted)
      .filter((e) => showHidden || !e.hidden)
      .filter((e) => !minAccessRole || ROLE_RANK[e.accessRole] >= ROLE_RANK[minAccessRole])
      .sort((a, b) => a.changeSeq - b.changeSeq);
    const after = page?.after ?? null;
    const rest = after ? entries.filter((e) => e.changeSeq > after[0]) : entries;
    const slice = rest.slice(0, maxResults);
    const last = slice[slice.length - 1];
    const more = rest.length > maxResults && last;
    return {
      kind: 'calendar#calendarList',
      etag: `"p${snapshot}"`,
      ...(more
        ? { nextPageToken: encodePageToken(secret, { after: [last.changeSeq, last.calendarId], snapshot, since, query: fingerprint }) }
        : { nextSyncToken: encodeSyncToken(secret, { kind: 'l', resource: accountId, account: accountId, seq: snapshot, epoch: 1, issuedAt: this.ctx.now() }) }),
      items: slice.map((e) => this.renderEntry(e)),
    };
  }
}
