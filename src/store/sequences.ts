import type { EntityManager } from '@mikro-orm/core';
import type { MongoEntityManager } from '@mikro-orm/mongodb';

/**
 * Advances the named counter and returns its new value (1 for a counter that did not exist).
 *
 * SQLite: one `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the caller's transaction, so the
 * write lock it takes is held until the caller commits: values are handed out in commit order and
 * a rolled-back transaction gives its value back — the sequence has no gaps.
 *
 * MongoDB: one atomic `findOneAndUpdate` with `$inc`. It is not part of the caller's writes, so a
 * value can be taken by a writer that then fails (a gap) or that commits after a later value (a
 * late row); readers of a sequence treat a young gap as "not yet" (see the change feed).
 */
export async function nextSequenceValue(em: EntityManager, name: string): Promise<number> {
  if (em.getPlatform().usesImplicitTransactions()) {
    const row = await em
      .getConnection()
      .execute<{ value: number }>(
        'insert into sequences (id, value) values (?, 1) on conflict (id) do update set value = value + 1 returning value',
        [name],
        'get',
        em.getTransactionContext(),
      );
    return Number(row.value);
  }
  const collection = (em as unknown as MongoEntityManager).getCollection<{ _id: string; value: number }>('sequences');
  const doc = await collection.findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' });
  if (!doc) throw new Error(`sequence ${name} could not be advanced`);
  return doc.value;
}
