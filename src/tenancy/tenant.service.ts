import type { Logger } from '../logger.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { CONFLICT_POLICIES } from '../domain/model.js';
import {
  DEFAULT_TENANT_SETTINGS,
  WEEKDAYS,
  asOrigin,
  mergeTenantSettings,
  validateTenantSettings,
  type TenantSettings,
  type TenantSettingsPatch,
} from '../domain/tenant-settings.js';
import { Tenant } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs } from '../store/repositories/paginate.js';
import { resolveTenantId, type Caller } from './caller.js';
import { requiredText } from './input-rules.js';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS, type TenantChangedPayload } from '../events/pubsub-topics.js';
import { parseId, type HubId } from '../domain/ids.js';

export interface CreateTenantInput {
  name: string;
  settings?: TenantSettingsPatch | null;
}

/**
 * Keeps only the values that differ from the defaults, so a tenant follows future changes of a
 * default it never set. Nested objects are compared one level deep (the shape of TenantSettings).
 */
export function diffFromDefaults(settings: TenantSettings): TenantSettingsPatch | null {
  const out: Record<string, unknown> = {};
  const defaults = DEFAULT_TENANT_SETTINGS as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(settings as unknown as Record<string, unknown>)) {
    const base = defaults[key];
    if (Array.isArray(value)) {
      if (JSON.stringify(value) !== JSON.stringify(base)) out[key] = value;
    } else if (value !== null && typeof value === 'object' && base !== null && typeof base === 'object') {
      const changed = Object.entries(value).filter(([k, v]) => (base as Record<string, unknown>)[k] !== v);
      if (changed.length > 0) out[key] = Object.fromEntries(changed);
    } else if (value !== base) {
      out[key] = value;
    }
  }
  return Object.keys(out).length > 0 ? (out as TenantSettingsPatch) : null;
}

/** The closed vocabularies and flags, which GraphQL enforces but other callers (CLI, services) might not. */
function vocabularyProblems(s: TenantSettings): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const among = (field: string, v: unknown, allowed: readonly string[]) => {
    if (typeof v !== 'string' || !allowed.includes(v)) problems.push({ field, message: `must be one of ${allowed.join(', ')}` });
  };
  among('conflictPolicy', s.conflictPolicy, CONFLICT_POLICIES);
  among('hostProfile.recurrence', s.hostProfile.recurrence, ['FULL', 'FIRST_OCCURRENCE_ONLY', 'NONE']);
  among('hostProfile.weekStart', s.hostProfile.weekStart, WEEKDAYS);
  const flags: [string, unknown][] = [
    ['deletionWins', s.deletionWins],
    ['twoWayByDefault', s.twoWayByDefault],
    ['hostProfile.supportsDaily', s.hostProfile.supportsDaily],
    ['hostProfile.supportsExceptions', s.hostProfile.supportsExceptions],
    ['hostProfile.supportsEndless', s.hostProfile.supportsEndless],
    ['titleMarkers.enabled', s.titleMarkers.enabled],
  ];
  for (const [field, v] of flags) if (typeof v !== 'boolean') problems.push({ field, message: 'must be true or false' });
  for (const [field, v] of [
    ['titleMarkers.host', s.titleMarkers.host],
    ['titleMarkers.microsoft', s.titleMarkers.microsoft],
    ['titleMarkers.google', s.titleMarkers.google],
    ['recordLinkLabel', s.recordLinkLabel],
  ] as const) {
    if (typeof v !== 'string') problems.push({ field, message: 'must be a string' });
  }
  if (!Array.isArray(s.returnToOrigins) || s.returnToOrigins.some((o) => typeof o !== 'string')) problems.push({ field: 'returnToOrigins', message: 'must be a list of strings' });
  return problems;
}

/** `fieldPrefix` is where the settings sit in the caller's input (`settings.` in createTenant). */
function settingsAfter(stored: TenantSettingsPatch | null, patch: TenantSettingsPatch | null | undefined, fieldPrefix: string): TenantSettings {
  const merged = mergeTenantSettings(mergeTenantSettings(DEFAULT_TENANT_SETTINGS, stored), patch);
  const shapeProblems = vocabularyProblems(merged);
  const problems = shapeProblems.length > 0 ? shapeProblems : validateTenantSettings(merged);
  if (problems.length > 0) throw new ValidationError(`${fieldPrefix}${problems[0]!.field}`, problems[0]!.message);
  // Stored as origins exactly (lower case, no trailing slash), the form `returnTo` is compared in.
  merged.returnToOrigins = [...new Set(merged.returnToOrigins.map((origin) => asOrigin(origin)!))];
  return merged;
}

export class TenantService {
  constructor(private readonly deps: { orm: Orm; pubsub: EventPublisher; logger: Logger }) {}

  async create(caller: Caller, input: CreateTenantInput): Promise<Tenant> {
    if (caller.role !== 'ADMIN') throw new ForbiddenError('Only an ADMIN key can create tenants');
    const name = requiredText('name', input.name, 200);
    const tenant = new Tenant(name);
    tenant.settings = diffFromDefaults(settingsAfter(null, input.settings, 'settings.'));
    await this.deps.orm.em.fork().persistAndFlush(tenant);
    await this.announce(tenant.id, 'CREATED');
    return tenant;
  }

  /** Admin keys see every tenant; a tenant key sees its own. */
  async list(caller: Caller, page: PageArgs): Promise<Page<Tenant>> {
    const where = caller.role === 'ADMIN' ? {} : { id: caller.tenantId };
    return paginate(this.deps.orm.em.fork(), Tenant, where, page);
  }

  async get(caller: Caller, id: string): Promise<Tenant> {
    const tenantId = parseId('tenant', id);
    if (caller.role !== 'ADMIN' && tenantId !== caller.tenantId) throw new NotFoundError('Tenant', id);
    const tenant = tenantId ? await this.deps.orm.em.fork().findOne(Tenant, { id: tenantId }) : null;
    if (!tenant) throw new NotFoundError('Tenant', id);
    return tenant;
  }

  async getSettings(caller: Caller, tenantId: string | null | undefined): Promise<{ tenant: Tenant; settings: TenantSettings }> {
    const em = this.deps.orm.em.fork();
    const id = await resolveTenantId(em, caller, tenantId);
    const tenant = await em.findOneOrFail(Tenant, { id });
    return { tenant, settings: settingsOf(tenant) };
  }

  /**
   * Applies a partial update: objects merge field by field, scalars replace, an explicit `null`
   * clears `recordLinkTemplate`. The merged result is validated as a whole before anything is saved.
   */
  async updateSettings(
    caller: Caller,
    tenantId: string | null | undefined,
    patch: TenantSettingsPatch,
  ): Promise<{ tenant: Tenant; settings: TenantSettings }> {
    const em = this.deps.orm.em.fork();
    const id = await resolveTenantId(em, caller, tenantId);
    const tenant = await em.findOneOrFail(Tenant, { id });
    const settings = settingsAfter(tenant.settings, patch, '');
    tenant.settings = diffFromDefaults(settings);
    await em.flush();
    await this.announce(tenant.id, 'UPDATED');
    return { tenant, settings };
  }

  private announce(tenantId: HubId<'tenant'>, change: TenantChangedPayload['change']): Promise<void> {
    return announce(this.deps, TOPICS.TENANT_CHANGED, { tenantId, change, at: new Date().toISOString() }, { tenantId });
  }
}

export const settingsOf = (tenant: Tenant): TenantSettings => mergeTenantSettings(DEFAULT_TENANT_SETTINGS, tenant.settings);
