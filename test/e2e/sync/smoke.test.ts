import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../../src/tenancy/caller.js';
import { Calendar, SyncMapping, SyncRun } from '../../../src/store/entities/index.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { createTenantWithUser, linkOk, sandboxKit, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';

let t: LinkingHub;
beforeAll(async () => {
  t = await startLinkingHub();
});
afterAll(async () => {
  await t?.close();
});

for (const provider of ['MICROSOFT', 'GOOGLE'] as const) {
  describe(`smoke ${provider}`, () => {
    it('pushes an appointment out and reads an edit back', async () => {
      const kit = sandboxKit(t, provider);
      const email = kit.newAccount('smoke');
      const tenant = await createTenantWithUser(t, `smoke-${provider}`, { hostUserId: `u-${provider}`, email });
      const connectionId = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
      await waitFor('initial run', async () => (await t.hub.orm.em.fork().count(SyncRun, { connectionId, outcome: { $ne: 'RUNNING' } })) > 0, 10_000);
      const start = new Date(Date.now() + 5 * 86_400_000);
      const { appointment } = await t.hub.services.appointments.upsert(OPERATOR, {
        tenantId: tenant.tenantId,
        hostAppointmentId: 'a1',
        userId: tenant.userId,
        subject: 'Hello',
        start,
        end: new Date(start.getTime() + 3_600_000),
        timeZone: 'Europe/Berlin',
      });
      const cal = await t.hub.orm.em.fork().findOneOrFail(Calendar, { connectionId, role: 'PRIMARY' });
      await waitFor('event at provider', async () => (await t.hub.orm.em.fork().findOne(SyncMapping, { appointmentId: appointment.id }))?.state === 'SYNCED', 10_000);
      const m = await t.hub.orm.em.fork().findOneOrFail(SyncMapping, { appointmentId: appointment.id });
      expect(kit.eventIds(email, cal.providerCalendarId)).toContain(m.externalEventId);
      const runs = await t.hub.orm.em.fork().find(SyncRun, { connectionId });
      console.log(runs.map((r) => [r.trigger, r.outcome, JSON.stringify(r.counts), r.providerCalls, r.error?.message]));
      // poll again: nothing changes
      const run = await t.hub.services.sync.syncNow(OPERATOR, connectionId);
      await waitFor('manual run', async () => (await t.hub.orm.em.fork().findOneOrFail(SyncRun, { id: run.id })).outcome !== 'RUNNING', 10_000);
      const done = await t.hub.orm.em.fork().findOneOrFail(SyncRun, { id: run.id });
      console.log(done.trigger, done.outcome, JSON.stringify(done.counts), done.providerCalls, done.error);
      expect(done.counts.inbound.created).toBe(0);
    });
  });
}
