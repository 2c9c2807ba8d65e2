import type { EntityManager } from '@mikro-orm/core';

/**
 * Runs `work` in one transaction where the database has them for free. SQLite: one transaction.
 * MongoDB: MikroORM's transactions need a replica set, which a single server lacks; there the
 * writes run in sequence, and the code that calls this is written so that a failure between them
 * leaves a state the next run repairs (unique keys guard the invariants).
 */
export async function inTransaction<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  if (em.getPlatform().usesImplicitTransactions()) return em.transactional(work);
  return work(em);
}
