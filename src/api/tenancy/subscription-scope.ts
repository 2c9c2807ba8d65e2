import { NotFoundError } from '../../domain/errors.js';
import { requireCaller, type HubContext } from '../context.js';

/**
 * Which tenant's events a subscription receives: a TENANT key only its own (another tenant's id
 * reads as unknown, as everywhere); an ADMIN key every tenant's, or the one it names.
 * Checked when the subscription starts, so a refused subscription never opens a listener.
 */
export async function subscriptionScope(ctx: HubContext, tenantId: string | null | undefined): Promise<{ tenantId?: string }> {
  const caller = requireCaller(ctx);
  if (caller.role !== 'ADMIN') {
    if (tenantId && tenantId !== caller.tenantId) throw new NotFoundError('Tenant', tenantId);
    return { tenantId: caller.tenantId };
  }
  if (!tenantId) return {};
  await ctx.services.tenants.get(caller, tenantId);
  return { tenantId };
}
