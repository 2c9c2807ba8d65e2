import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { cancelledOccurrences, type CalendarService, type EventInstance } from './calendar-service.js';
import { decodeDeltaToken, DeltaRounds, encodeDeltaToken, syncStateNotFound, type DeltaToken } from './delta-sync.js';
import { pinnedPropertyValue } from './event-index.js';
import { openExtension } from './event-input.js';
import { DEFAULT_RENDER, renderCalendar, renderEvent, renderUser, type RenderOptions } from './graph-event-view.js';
import { accessDenied, extendedPropertyFilterRequired, GraphError, invalidRequest, itemNotFound } from './graph-errors.js';
import { displayZoneName, parseWindowBound, resolveZone, timeZoneNotSupported } from './graph-time.js';
import type { IdentityService } from './identity-service.js';
import type { MicrosoftEmulatorSettings } from './microsoft-settings.js';
import type { AccountRecord, MicrosoftState } from './microsoft-state.js';
import { compileFilter, filterableExtendedProperties } from './odata-filter.js';
import type { SubscriptionService } from './subscription-service.js';

/**
 * Microsoft Graph v1.0 calendar surface (docs/providers.md#microsoft-graph-srcprovidersmicrosoft-graph
 * and the Graph sections after it) for `/me/...` and `/users/{id|upn}/...`. Route ids (`graph.*`)
 * name routes for fault rules and counters.
 */
export interface GraphDeps {
  state: MicrosoftState;
  settings: MicrosoftEmulatorSettings;
  calendar: CalendarService;
  identity: IdentityService;
  subscriptions: SubscriptionService;
  origin: () => string;
}

export interface Caller {
  account: AccountRecord;
  scopes: string[];
  clientId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    graphCaller?: Caller;
  }
}

const READ_SCOPES = ['calendars.read', 'calendars.readwrite', 'calendars.read.shared', 'calendars.readwrite.shared', '.default'];
const WRITE_SCOPES = ['calendars.readwrite', 'calendars.readwrite.shared', '.default'];

export function bearerOf(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1]!.trim() : null;
}

export function authenticate(request: FastifyRequest, deps: GraphDeps): Caller {
  if (request.graphCaller) return request.graphCaller;
  const bearer = bearerOf(request);
  const unauthorized = (message: string) =>
    new GraphError(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' });
  if (!bearer) throw unauthorized('Access token is empty.');
  const check = deps.identity.checkAccessToken(bearer);
  if (!check.ok) throw unauthorized(check.message);
  const account = deps.state.accounts[check.accountId];
  if (!account) throw unauthorized('The user or application that the token was issued to no longer exists.');
  request.graphCaller = { account, scopes: check.scopes.map((s) => s.toLowerCase()), clientId: check.clientId };
  return request.graphCaller;
}

/** Parses `Prefer` headers (several headers, or one comma-joined list) into lower-case keys. */
export function parsePrefer(request: FastifyRequest): Map<string, string> {
  const raw = request.headers.prefer;
  const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const out = new Map<string, string>();
  for (const value of values) {
    for (const part of value.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      const val = eq < 0 ? '' : part.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (key) out.set(key, val);
    }
  }
  return out;
}

interface QueryOptions {
  top: number | null;
  skip: number;
  select: string[] | null;
  filter: string | null;
  orderby: string | null;
  expandExtended: string[] | null;
  expandExtensions: string[] | null;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quoted = false;
  for (const c of s) {
    if (c === "'") quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')') depth--;
    if (!quoted && depth === 0 && c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseQuery(request: FastifyRequest): QueryOptions {
  const q = request.query as Record<string, string | undefined>;
  const int = (name: string, v: string | undefined, min: number, max: number): number | null => {
    if (v === undefined) return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new GraphError(400, 'BadRequest', `Invalid value '${v}' for query parameter '${name}'.`);
    return n;
  };
  const opts: QueryOptions = {
    top: int('$top', q.$top, 1, 1000),
    skip: int('$skip', q.$skip, 0, Number.MAX_SAFE_INTEGER) ?? 0,
    select: q.$select ? q.$select.split(',').map((s) => s.trim()).filter(Boolean) : null,
    filter: q.$filter ?? null,
    orderby: q.$orderby ?? null,
    expandExtended: null,
    expandExtensions: null,
  };
  if (q.$expand) {
    for (const part of splitTopLevel(q.$expand)) {
      const m = /^(\w+)(?:\((.*)\))?$/s.exec(part);
      if (!m) throw new GraphError(400, 'BadRequest', `Invalid $expand clause '${part}'.`);
      const ids = [...(m[2] ?? '').matchAll(/id\s+eq\s+'((?:[^']|'')*)'/gi)].map((x) => x[1]!.replace(/''/g, "'"));
      const name = m[1]!.toLowerCase();
      if (name === 'singlevalueextendedproperties') {
        // Graph expands extended properties only through a filter on their id (singlevaluelegacyextendedproperty-get).
        if (!/^\s*\$filter\s*=/i.test(m[2] ?? '') || ids.length === 0) throw extendedPropertyFilterRequired();
        opts.expandExtended = ids;
      } else if (name === 'extensions') opts.expandExtensions = ids;
      else if (name !== 'calendar' && name !== 'attachments' && name !== 'instances') throw new GraphError(400, 'BadRequest', `Could not find a property named '${m[1]}' on type 'microsoft.graph.event'.`);
    }
  }
  return opts;
}

function renderOptions(request: FastifyRequest, reply: FastifyReply, query?: QueryOptions): RenderOptions {
  const prefer = parsePrefer(request);
  const applied: string[] = [];
  let preferZone: RenderOptions['preferZone'] = null;
  const tz = prefer.get('outlook.timezone');
  if (tz) {
    const iana = resolveZone(tz);
    if (!iana) throw timeZoneNotSupported(tz);
    preferZone = { iana, name: displayZoneName(tz) };
    applied.push(`outlook.timezone="${preferZone.name}"`);
  }
  const bodyType = prefer.get('outlook.body-content-type')?.toLowerCase();
  if (bodyType === 'text' || bodyType === 'html') applied.push(`outlook.body-content-type="${bodyType}"`);
  if (applied.length > 0) reply.header('preference-applied', applied.join(','));
  return {
    ...DEFAULT_RENDER,
    preferZone,
    bodyType: bodyType === 'text' || bodyType === 'html' ? bodyType : null,
    select: query?.select ?? null,
    expandExtended: query?.expandExtended ?? null,
    expandExtensions: query?.expandExtensions ?? null,
  };
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  return String(a).toLowerCase() < String(b).toLowerCase() ? -1 : 1;
}

function pathValue(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split('/')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    const key = Object.keys(cur).find((k) => k.toLowerCase() === seg.toLowerCase());
    cur = key === undefined ? undefined : (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function registerGraphRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const { calendar, state, settings } = deps;
  const deltaRounds = new DeltaRounds(state, calendar);
  const bases = ['/v1.0/me', '/v1.0/users/:userId'];

  const route = (method: HTTPMethods, suffix: string, routeId: string, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
    for (const base of bases) app.route({ method, url: `${base}${suffix}`, config: { routeId }, handler });
  };

  /** The caller's mailbox, checked for the user segment, a mailbox and the calendar scopes. */
  const mailbox = (request: FastifyRequest, access: 'read' | 'write' | 'none'): Caller => {
    const caller = authenticate(request, deps);
    const { userId } = request.params as { userId?: string };
    if (userId !== undefined) {
      const u = decodeURIComponent(userId).toLowerCase();
      if (u !== caller.account.id.toLowerCase() && u !== caller.account.email.toLowerCase()) throw accessDenied();
    }
    if (access === 'none') return caller;
    if (!caller.account.mailboxEnabled) {
      throw new GraphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
    }
    const needed = access === 'read' ? READ_SCOPES : WRITE_SCOPES;
    if (!caller.scopes.some((s) => needed.includes(s))) throw accessDenied();
    return caller;
  };

  const calendarParam = (request: FastifyRequest): string | null => {
    const { calendarId } = request.params as { calendarId?: string };
    return calendarId === undefined ? null : calendarId;
  };

  const ctxOf = (caller: Caller, inst: EventInstance) => ({
    account: caller.account,
    calendar: state.calendars[inst.master.calendarId]!,
    origin: deps.origin(),
  });

  const selfUrl = (request: FastifyRequest, params: Record<string, string | number>): string => {
    const url = new URL(request.url, deps.origin());
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    return `${deps.origin()}${url.pathname}?${url.searchParams.toString().replace(/%24/g, '$')}`;
  };

  /** `@odata.context` of a response: the entity set path, narrowed by `$select` (`events(subject,start)`). */
  const contextUrl = (caller: Caller, path: string, select: string[] | null, entity = '') =>
    `${deps.origin()}/v1.0/$metadata#users('${caller.account.id}')/${path}${select ? `(${select.join(',')})` : ''}${entity}`;

  /** Filters, orders and pages instances (`$filter`, `$orderby`, `$top`/`$skip` with an absolute nextLink). */
  const listResponse = (request: FastifyRequest, reply: FastifyReply, caller: Caller, instances: EventInstance[], context: string) => {
    const query = parseQuery(request);
    const opts = renderOptions(request, reply, query);
    let rows = instances.map((inst) => ({ inst, full: renderEvent(inst, ctxOf(caller, inst), DEFAULT_RENDER) }));
    if (query.filter) {
      const predicate = compileFilter(query.filter);
      rows = rows.filter((r) =>
        predicate({ ...r.full, singleValueExtendedProperties: filterableExtendedProperties(r.inst.singleValueExtendedProperties), extensions: r.inst.master.extensions }),
      );
    }
    const order = (query.orderby ?? 'start/dateTime asc')
      .split(',')
      .map((s) => s.trim().split(/\s+/))
      .map(([path, dir]) => ({ path: path!, desc: dir?.toLowerCase() === 'desc' }));
    rows.sort((a, b) => {
      for (const o of order) {
        const c = compareValues(pathValue(a.full, o.path), pathValue(b.full, o.path));
        if (c !== 0) return o.desc ? -c : c;
      }
      return a.inst.id < b.inst.id ? -1 : 1;
    });
    const top = query.top ?? settings.defaultPageSize;
    const page = rows.slice(query.skip, query.skip + top);
    const body: Record<string, unknown> = {
      '@odata.context': contextUrl(caller, context, query.select),
      value: page.map((r) => renderEvent(r.inst, ctxOf(caller, r.inst), opts)),
    };
    if (query.skip + top < rows.length) body['@odata.nextLink'] = selfUrl(request, { $skip: query.skip + top, $top: top });
    return body;
  };

  const window = (request: FastifyRequest): [number, number] => {
    const q = request.query as Record<string, string | undefined>;
    const from = parseWindowBound(q.startDateTime ?? q.StartDateTime, 'startDateTime');
    const to = parseWindowBound(q.endDateTime ?? q.EndDateTime, 'endDateTime');
    if (to < from) throw new GraphError(400, 'ErrorInvalidParameter', 'The value of the EndDateTime parameter must be later than StartDateTime.');
    return [from, to];
  };

  route('GET', '', 'graph.me', async (request) => {
    const caller = mailbox(request, 'none');
    return { '@odata.context': `${deps.origin()}/v1.0/$metadata#users/$entity`, ...renderUser(caller.account) };
  });

  route('GET', '/calendars', 'graph.calendars.list', async (request) => {
    const caller = mailbox(request, 'read');
    const query = parseQuery(request);
    const all = calendar.calendars(caller.account.id);
    const top = query.top ?? settings.defaultPageSize;
    const page = all.slice(query.skip, query.skip + top);
    const body: Record<string, unknown> = {
      '@odata.context': `${deps.origin()}/v1.0/$metadata#users('${caller.account.id}')/calendars`,
      value: page.map((c) => ({ '@odata.id': `${deps.origin()}/v1.0/users('${caller.account.id}@${caller.account.tenantId}')/calendars('${c.id}')`, ...renderCalendar(c, caller.account) })),
    };
    if (query.skip + top < all.length) body['@odata.nextLink'] = selfUrl(request, { $skip: query.skip + top, $top: top });
    return body;
  });

  route('POST', '/calendars', 'graph.calendars.create', async (request, reply) => {
    const caller = mailbox(request, 'write');
    const body = (request.body ?? {}) as { name?: unknown; color?: unknown; hexColor?: unknown };
    if (typeof body.name !== 'string') throw invalidRequest('The calendar name is required.');
    const cal = calendar.createCalendar(caller.account.id, { name: body.name, color: typeof body.color === 'string' ? body.color : undefined });
    return reply.code(201).send(renderCalendar(cal, caller.account));
  });

  for (const [suffix, routeId] of [
    ['/calendar', 'graph.calendars.get'],
    ['/calendars/:calendarId', 'graph.calendars.get'],
  ] as const) {
    route('GET', suffix, routeId, async (request) => {
      const caller = mailbox(request, 'read');
      return renderCalendar(calendar.calendar(caller.account.id, calendarParam(request)), caller.account);
    });
  }

  for (const prefix of ['', '/calendar', '/calendars/:calendarId']) {
    route('GET', `${prefix}/events`, 'graph.events.list', async (request, reply) => {
      const caller = mailbox(request, 'read');
      const pinned = pinnedPropertyValue(parseQuery(request).filter);
      return listResponse(request, reply, caller, calendar.listMasters(caller.account.id, calendarParam(request), pinned), 'events');
    });

    route('POST', `${prefix}/events`, 'graph.events.create', async (request, reply) => {
      const caller = mailbox(request, 'write');
      const { instance } = calendar.createEvent(caller.account.id, calendarParam(request), request.body);
      const opts = renderOptions(request, reply);
      return reply
        .code(201)
        .header('location', `${deps.origin()}/v1.0/users('${caller.account.id}')/events('${instance.id}')`)
        .header('etag', `W/"${instance.changeKey}"`)
        .send({ '@odata.context': `${deps.origin()}/v1.0/$metadata#users('${caller.account.id}')/events/$entity`, ...renderEvent(instance, ctxOf(caller, instance), opts) });
    });

    route('GET', `${prefix}/events/:eventId`, 'graph.events.get', async (request, reply) => {
      const caller = mailbox(request, 'read');
      const { eventId } = request.params as { eventId: string };
      const inst = calendar.getInstance(caller.account.id, eventId);
      const cal = calendarParam(request);
      if ((prefix !== '' || cal !== null) && inst.master.calendarId !== calendar.calendar(caller.account.id, cal).id) throw itemNotFound();
      const query = parseQuery(request);
      const body: Record<string, unknown> = { '@odata.context': contextUrl(caller, 'events', query.select, '/$entity'), ...renderEvent(inst, ctxOf(caller, inst), renderOptions(request, reply, query)) };
      if (query.select) {
        // cancelledOccurrences: only on $select, only on a GET by id (event resource, v1.0).
        if (query.select.some((p) => p.toLowerCase() === 'cancelledoccurrences')) body.cancelledOccurrences = inst.kind === 'seriesMaster' ? cancelledOccurrences(inst.master) : [];
        const calendarLink = `${deps.origin()}/v1.0/users('${caller.account.id}')/calendars('${inst.master.calendarId}')`;
        body['calendar@odata.associationLink'] = `${calendarLink}/$ref`;
        body['calendar@odata.navigationLink'] = calendarLink;
      }
      return body;
    });

    route('PATCH', `${prefix}/events/:eventId`, 'graph.events.update', async (request, reply) => {
      const caller = mailbox(request, 'write');
      const { eventId } = request.params as { eventId: string };
      const ifMatch = typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined;
      const inst = calendar.updateEvent(caller.account.id, eventId, request.body, ifMatch);
      const opts = renderOptions(request, reply);
      return reply.header('etag', `W/"${inst.changeKey}"`).send(renderEvent(inst, ctxOf(caller, inst), opts));
    });

    route('DELETE', `${prefix}/events/:eventId`, 'graph.events.delete', async (request, reply) => {
      const caller = mailbox(request, 'write');
      const { eventId } = request.params as { eventId: string };
      const ifMatch = typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined;
      calendar.deleteEvent(caller.account.id, eventId, ifMatch);
      return reply.code(204).send();
    });

    route('POST', `${prefix}/events/:eventId/cancel`, 'graph.events.cancel', async (request, reply) => {
      const caller = mailbox(request, 'write');
      const { eventId } = request.params as { eventId: string };
      calendar.deleteEvent(caller.account.id, eventId);
      return reply.code(202).send();
    });

    route('GET', `${prefix}/events/:eventId/instances`, 'graph.events.instances', async (request, reply) => {
      const caller = mailbox(request, 'read');
      const { eventId } = request.params as { eventId: string };
      const [from, to] = window(request);
      return listResponse(request, reply, caller, calendar.seriesInstances(caller.account.id, eventId, from, to), `events('${encodeURIComponent(eventId)}')/instances`);
    });

    route('GET', `${prefix}/events/:eventId/extensions`, 'graph.events.extensions.list', async (request) => {
      const caller = mailbox(request, 'read');
      const { eventId } = request.params as { eventId: string };
      return { value: calendar.getRecord(caller.account.id, eventId).extensions };
    });

    route('POST', `${prefix}/events/:eventId/extensions`, 'graph.events.extensions.create', async (request, reply) => {
      const caller = mailbox(request, 'write');
      const { eventId } = request.params as { eventId: string };
      const ext = openExtension(request.body);
      if (calendar.getRecord(caller.account.id, eventId).extensions.some((x) => x.id === ext.id)) {
        throw new GraphError(409, 'NameAlreadyExists', 'An extension already exists with given id.');
      }
      calendar.touch(caller.account.id, eventId, (e) => e.extensions.push(ext));
      return reply.code(201).send(ext);
    });

    const findExtension = (list: Record<string, unknown>[], extId: string) => {
      const lower = extId.toLowerCase();
      const ext = list.find((x) => String(x.id).toLowerCase() === lower || String(x.extensionName).toLowerCase() === lower);
      if (!ext) throw itemNotFound();
      return ext;
    };

    route('GET', `${prefix}/events/:eventId/extensions/:extensionId`, 'graph.events.extensions.get', async (request) => {
      const caller = mailbox(request, 'read');
      const { eventId, extensionId } = request.params as { eventId: string; extensionId: string };
      return findExtension(calendar.getRecord(caller.account.id, eventId).extensions, extensionId);
    });

    route('PATCH', `${prefix}/events/:eventId/extensions/:extensionId`, 'graph.events.extensions.update', async (request, reply) => {
      const caller = mailbox(request, 'write');
      const { eventId, extensionId } = request.params as { eventId: string; extensionId: string };
      const patch = (request.body ?? {}) as Record<string, unknown>;
      if (typeof patch !== 'object' || Array.isArray(patch)) throw invalidRequest('The request body must be a JSON object.');
      let updated: Record<string, unknown> = {};
      calendar.touch(caller.account.id, eventId, (e) => {
        const ext = findExtension(e.extensions, extensionId);
        const { id: _id, extensionName: _name, '@odata.type': _type, ...rest } = patch;
        Object.assign(ext, rest);
        updated = ext;
      });
      return reply.code(200).send(updated);
    });

    route('DELETE', `${prefix}/events/:eventId/extensions/:extensionId`, 'graph.events.extensions.delete', async (request, reply) => {
      const caller = mailbox(request, 'write');
      const { eventId, extensionId } = request.params as { eventId: string; extensionId: string };
      calendar.touch(caller.account.id, eventId, (e) => {
        const ext = findExtension(e.extensions, extensionId);
        e.extensions = e.extensions.filter((x) => x !== ext);
      });
      return reply.code(204).send();
    });
  }

  for (const prefix of ['', '/calendar', '/calendars/:calendarId']) {
    route('GET', `${prefix}/calendarView`, 'graph.calendarView', async (request, reply) => {
      const caller = mailbox(request, 'read');
      const [from, to] = window(request);
      return listResponse(request, reply, caller, calendar.instancesInWindow(caller.account.id, calendarParam(request), from, to), 'calendarView');
    });

    route('GET', `${prefix}/calendarView/delta`, 'graph.calendarView.delta', async (request, reply) => {
      const caller = mailbox(request, 'read');
      const q = request.query as Record<string, string | undefined>;
      const unsupported = ['$select', '$expand', '$filter', '$orderby', '$search', '$top'].filter((k) => q[k] !== undefined);
      if (unsupported.length > 0) {
        throw invalidRequest(`The following parameters are not supported with change tracking over the 'CalendarView' resource: '${unsupported.join(', ')}'.`);
      }
      const cal = calendar.calendar(caller.account.id, calendarParam(request));
      const path = request.url.split('?')[0]!;
      const link = (kind: '$skiptoken' | '$deltatoken', t: DeltaToken) => `${deps.origin()}${path}?${kind}=${encodeDeltaToken(t)}`;
      const raw = q.$skiptoken ?? q.$deltatoken;
      let token: DeltaToken;
      if (raw !== undefined) {
        const decoded = decodeDeltaToken(raw);
        if (!decoded || decoded.a !== caller.account.id || decoded.c !== cal.id) throw syncStateNotFound();
        token = decoded;
        if (q.$deltatoken !== undefined) token = { ...decoded, r: calendar.currentSeq(caller.account.id), k: undefined, n: 0 };
      } else {
        const [from, to] = window(request);
        token = { a: caller.account.id, c: cal.id, s: from, e: to, q: -1, r: calendar.currentSeq(caller.account.id), g: caller.account.syncGeneration, n: 0 };
      }
      const opts = renderOptions(request, reply);
      const prefer = parsePrefer(request);
      const max = Number(prefer.get('odata.maxpagesize'));
      const pageSize = Number.isInteger(max) && max > 0 ? Math.min(max, 1000) : settings.deltaDefaultPageSize;
      const applied = ['odata.track-changes', ...(prefer.has('odata.maxpagesize') ? [`odata.maxpagesize=${pageSize}`] : [])];
      const existing = reply.getHeader('preference-applied');
      reply.header('preference-applied', [existing, ...applied].filter(Boolean).join(','));

      const after = token.k;
      const emptyPage = settings.deltaEmptyFirstPage && (token.n ?? 0) === 0;
      let found;
      try {
        found = deltaRounds.page(token, settings.clampDayOfMonth, after, emptyPage ? 0 : pageSize);
      } catch (e) {
        if (e instanceof GraphError && e.status === 410 && settings.deltaResetWithLocation) {
          const fresh = `${deps.origin()}${path}?startDateTime=${encodeURIComponent(new Date(token.s).toISOString())}&endDateTime=${encodeURIComponent(new Date(token.e).toISOString())}`;
          throw syncStateNotFound({ location: fresh });
        }
        throw e;
      }
      const page = found.items;
      const value = page.map((item) =>
        'removed' in item
          ? { '@odata.type': '#microsoft.graph.event', id: item.id, '@removed': { reason: 'deleted' } }
          : { '@odata.type': '#microsoft.graph.event', ...renderEvent(item.instance, ctxOf(caller, item.instance), opts) },
      );
      const body: Record<string, unknown> = { '@odata.context': `${deps.origin()}/v1.0/$metadata#Collection(event)`, value };
      if (emptyPage || found.more) {
        body['@odata.nextLink'] = link('$skiptoken', { ...token, k: page.length > 0 ? page[page.length - 1]!.id : after, n: (token.n ?? 0) + 1 });
      } else {
        body['@odata.deltaLink'] = link('$deltatoken', { a: token.a, c: token.c, s: token.s, e: token.e, q: token.r, r: token.r, g: token.g });
      }
      return body;
    });
  }
}
