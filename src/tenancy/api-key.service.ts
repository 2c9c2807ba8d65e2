import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../domain/errors.js';
import { parseId, type HubId } from '../domain/ids.js';
import { API_KEY_ROLES, type ApiKeyRole } from '../domain/model.js';
import type { Logger } from '../logger.js';
import { ApiKey, Tenant } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs } from '../store/repositories/paginate.js';
import { resolveTenantId, tenantFilter, type Caller } from './caller.js';
import { oneOf, requiredText } from './input-rules.js';
import { AddressSet, plainAddress } from './ip-allow-list.js';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings } from '../domain/tenant-settings.js';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';

/** Keys look like `hub_<43 base64url chars>` (32 random bytes); the first 12 characters are the shown prefix. */
const KEY_PREFIX = 'hub_';
const SHOWN_PREFIX_LENGTH = 12;
/** `lastUsedAt` is refreshed at most this often per key, so authentication stays a read. */
const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * How long an authenticated key is remembered, so a busy client costs no key lookup per request.
 * A key revoked through the API is forgotten at once on every instance (API_KEY_REVOKED reaches
 * each one's WebSocket layer, which calls `forget`); one revoked straight in the database (the CLI
 * on SQLite) stops working for HTTP within this time, and at once for WebSocket connects and
 * subscribes, which always read the store.
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
/** Keys remembered at most (the oldest is dropped first). */
const API_KEY_CACHE_SIZE = 10_000;

interface CachedKey {
  caller: Caller;
  checkedAt: number;
  lastUsedAt: number;
  /** The tenant's `ipAllowList` as read with the key (TENANT keys); null: no restriction. */
  allowList: AddressSet | null;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** A fresh key with what is stored of it. The key itself is never stored. */
export function mintApiKey(): { key: string; prefix: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, SHOWN_PREFIX_LENGTH), hash: hashApiKey(key) };
}

export interface CreateApiKeyInput {
  tenantId?: string | null;
  name: string;
  role: string;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The full key. It is not stored and cannot be shown again. */
  key: string;
}

export interface ApiKeyListFilter {
  /** Admin: limit to one tenant's keys (omitted: every key, admin keys included). */
  tenantId?: string | null;
  includeRevoked?: boolean | null;
}

export class ApiKeyService {
  /** Authenticated keys by hash (never the key itself), in insertion order for eviction. */
  private readonly cache = new Map<string, CachedKey>();

  /** `now` (ms) moves the cache's clock in tests. */
  constructor(private readonly deps: { orm: Orm; pubsub: EventPublisher; logger: Logger; now?: () => number }) {}

  /**
   * Resolves an `Authorization` header. No header → `null` (the caller is anonymous and every
   * operation that needs a key says so); a malformed, unknown or revoked key → UNAUTHENTICATED.
   * A TENANT key sent from an address outside its tenant's `ipAllowList` → FORBIDDEN (logged);
   * `clientAddress` is where the request came from (after TRUST_PROXY).
   */
  async authenticate(authorization: string | null | undefined, options: { fresh?: boolean; clientAddress?: string } = {}): Promise<Caller | null> {
    if (authorization === null || authorization === undefined || authorization.trim() === '') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <api key>"');
    const hash = hashApiKey(match[1]!);
    const now = this.deps.now?.() ?? Date.now();
    const cached = this.cache.get(hash);
    if (cached && !options.fresh && now - cached.checkedAt < API_KEY_CACHE_TTL_MS) {
      if (now - cached.lastUsedAt > LAST_USED_RESOLUTION_MS) {
        await this.deps.orm.em.fork().nativeUpdate(ApiKey, { id: cached.caller.apiKeyId! }, { lastUsedAt: new Date(now) });
        cached.lastUsedAt = now;
      }
      this.checkAddress(cached, options.clientAddress);
      return cached.caller;
    }
    this.cache.delete(hash);

    const em = this.deps.orm.em.fork();
    const key = await em.findOne(ApiKey, { hash });
    // A TENANT key always belongs to a tenant (`create` sees to it); one without is unusable.
    if (!key || key.revokedAt !== null || (key.role === 'TENANT' && key.tenantId === null)) throw new UnauthenticatedError('Invalid or revoked API key');
    const allowList = key.role === 'TENANT' && key.tenantId !== null ? await this.allowListOf(em, key.tenantId) : null;
    let lastUsedAt = key.lastUsedAt?.getTime() ?? null;
    if (lastUsedAt === null || now - lastUsedAt > LAST_USED_RESOLUTION_MS) {
      await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date(now) });
      lastUsedAt = now;
    }
    const caller: Caller =
      key.role === 'ADMIN' || key.tenantId === null
        ? { apiKeyId: key.id, role: 'ADMIN', tenantId: null }
        : { apiKeyId: key.id, role: 'TENANT', tenantId: key.tenantId };
    if (this.cache.size >= API_KEY_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    const entry: CachedKey = { caller: Object.freeze(caller), checkedAt: now, lastUsedAt, allowList };
    this.cache.set(hash, entry);
    this.checkAddress(entry, options.clientAddress);
    return caller;
  }

  /** Drops a key from the cache (its revocation was announced, possibly by another instance). */
  forget(apiKeyId: string): void {
    for (const [hash, cached] of this.cache) if (cached.caller.apiKeyId === apiKeyId) this.cache.delete(hash);
  }

  /** Drops a tenant's keys from the cache (its settings, the IP allow-list among them, changed). */
  forgetTenant(tenantId: string): void {
    for (const [hash, cached] of this.cache) if (cached.caller.tenantId === tenantId) this.cache.delete(hash);
  }

  private async allowListOf(em: EntityManager, tenantId: HubId<'tenant'>): Promise<AddressSet | null> {
    const tenant = await em.findOne(Tenant, { id: tenantId }, { fields: ['settings'] });
    const entries = mergeTenantSettings(DEFAULT_TENANT_SETTINGS, tenant?.settings ?? null).ipAllowList;
    return entries.length === 0 ? null : new AddressSet(entries);
  }

  /** The tenant's allow-list, when it has one, must hold the caller's address; an unknown address is refused. */
  private checkAddress(key: CachedKey, clientAddress: string | undefined): void {
    if (key.allowList === null) return;
    const address = clientAddress === undefined ? null : plainAddress(clientAddress);
    if (address !== null && key.allowList.has(address)) return;
    this.deps.logger.warn({ apiKeyId: key.caller.apiKeyId, tenantId: key.caller.tenantId, clientAddress: address }, "API key refused: the caller's address is not in the tenant's IP allow-list");
    throw new ForbiddenError(`This API key is not accepted from ${address ?? 'an unknown address'}: the address is not in the tenant's IP allow-list (ipAllowList)`);
  }

  /**
   * Creates a key and returns it in full exactly once. `ADMIN` keys can only be made by admins and
   * belong to no tenant; `TENANT` keys belong to the caller's tenant (or, for admins, `tenantId`).
   */
  async create(caller: Caller, input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const em = this.deps.orm.em.fork();
    const name = requiredText('name', input.name, 100);
    const role: ApiKeyRole = oneOf('role', input.role, API_KEY_ROLES);
    let tenantId: HubId<'tenant'> | null = null;
    if (role === 'ADMIN') {
      if (caller.role !== 'ADMIN') throw new ForbiddenError('Only an ADMIN key can create ADMIN keys');
      if (input.tenantId) throw new ValidationError('tenantId', 'must be empty for an ADMIN key (admin keys act on every tenant)');
    } else {
      tenantId = await resolveTenantId(em, caller, input.tenantId);
    }
    const { key, prefix, hash } = mintApiKey();
    const apiKey = new ApiKey({ tenantId, name, role, prefix, hash });
    await em.persistAndFlush(apiKey);
    return { apiKey, key };
  }

  /**
   * Revokes a key; it stops working on the next request, and its open WebSocket connections are
   * closed on every instance (API_KEY_REVOKED). Revoking a revoked key returns it as is. The last
   * active admin key cannot be revoked, so the hub never locks its operators out.
   */
  async revoke(caller: Caller, id: string): Promise<ApiKey> {
    const em = this.deps.orm.em.fork();
    const apiKeyId = parseId('apiKey', id);
    const apiKey = apiKeyId ? await em.findOne(ApiKey, { id: apiKeyId, ...tenantFilter(caller) }) : null;
    if (!apiKey) throw new NotFoundError('ApiKey', id);
    if (apiKey.revokedAt !== null) return apiKey;
    if (apiKey.role === 'ADMIN') {
      const activeAdmins = await em.count(ApiKey, { role: 'ADMIN', revokedAt: null });
      if (activeAdmins <= 1) {
        throw new ConflictError(
          'This is the last active ADMIN key',
          'Create another ADMIN key first (createApiKey with role ADMIN, or `npm run hub -- create-api-key --role ADMIN`), then revoke this one',
        );
      }
    }
    apiKey.revokedAt = new Date();
    await em.flush();
    await announce(this.deps, TOPICS.API_KEY_REVOKED, { apiKeyId: apiKey.id, tenantId: apiKey.tenantId, at: apiKey.revokedAt.toISOString() }, { apiKeyId: apiKey.id });
    this.cache.delete(apiKey.hash);
    return apiKey;
  }

  async list(caller: Caller, filter: ApiKeyListFilter, page: PageArgs): Promise<Page<ApiKey>> {
    const em = this.deps.orm.em.fork();
    const where: FilterQuery<ApiKey> = {};
    if (caller.role !== 'ADMIN' || filter.tenantId) where.tenantId = await resolveTenantId(em, caller, filter.tenantId);
    if (!filter.includeRevoked) where.revokedAt = null;
    return paginate(em, ApiKey, where, page);
  }

  async get(caller: Caller, id: string): Promise<ApiKey> {
    const apiKeyId = parseId('apiKey', id);
    const apiKey = apiKeyId ? await this.deps.orm.em.fork().findOne(ApiKey, { id: apiKeyId, ...tenantFilter(caller) }) : null;
    if (!apiKey) throw new NotFoundError('ApiKey', id);
    return apiKey;
  }
}
