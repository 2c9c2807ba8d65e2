import type { EntityManager } from '@mikro-orm/core';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { parseId, type HubId } from '../domain/ids.js';
import { Tenant } from '../store/entities/index.js';

/**
 * Who is calling: resolved from an API key (GraphQL) or the operator at the console (CLI).
 * `ADMIN` acts on every tenant; `TENANT` only on its own one.
 */
export type Caller =
  /** `apiKeyId` is `null` for the CLI operator. */
  | { role: 'ADMIN'; apiKeyId: HubId<'apiKey'> | null; tenantId: null }
  | { role: 'TENANT'; apiKeyId: HubId<'apiKey'>; tenantId: HubId<'tenant'> };

/** The CLI runs with the database credentials, so it acts with admin rights. */
export const OPERATOR: Caller = { apiKeyId: null, role: 'ADMIN', tenantId: null };

export const isAdmin = (caller: Caller): boolean => caller.role === 'ADMIN';

/**
 * Restricts a query to what the caller may see: nothing extra for admins, the caller's tenant for
 * tenant keys. Every lookup by id goes through this, so another tenant's id reads as unknown.
 */
export function tenantFilter(caller: Caller): { tenantId?: HubId<'tenant'> } {
  return caller.role === 'ADMIN' ? {} : { tenantId: caller.tenantId };
}

/**
 * The tenant an operation acts on. Tenant keys act on their own tenant (`tenantId` may be omitted
 * or equal to it; any other id reads as unknown). Admin keys are not bound to a tenant, so they
 * must name one, and it must exist.
 */
export async function resolveTenantId(
  em: EntityManager,
  caller: Caller,
  requested: string | null | undefined,
  field = 'tenantId',
): Promise<HubId<'tenant'>> {
  const wanted = requested === null || requested === undefined || requested.trim() === '' ? null : requested.trim();
  if (caller.role !== 'ADMIN') {
    if (wanted !== null && wanted !== caller.tenantId) throw new NotFoundError('Tenant', wanted);
    return caller.tenantId;
  }
  if (wanted === null) throw new ValidationError(field, 'is required with an ADMIN key (admin keys are not bound to a tenant)');
  const id = parseId('tenant', wanted);
  if (id === null || (await em.count(Tenant, { id })) === 0) throw new NotFoundError('Tenant', wanted);
  return id;
}
