import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';
import { ValidationError } from '../../domain/errors.js';

/**
 * Forward cursor pagination over any entity with a hub id. Hub ids are ULIDs (src/domain/ids.ts),
 * so ordering by id is ordering by creation time, and "after cursor X" is simply `id > X` on both
 * SQLite and MongoDB — stable while rows are added, no offset drift.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Rows matching the filter, independent of `first`/`after`. */
  totalCount: number;
}

const CURSOR_PREFIX = 'id:';

/** Cursors are opaque to clients: base64url of `id:<hub id>`. */
export function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id, 'utf8').toString('base64url');
}

/** Returns the id inside a cursor; a cursor this module did not make is a `BAD_USER_INPUT` on `after`. */
export function decodeCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (!/^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) {
    throw new ValidationError('after', 'is not a cursor returned by this API');
  }
  return id;
}

/** Validates `first` and applies the default; 0 is allowed (only `totalCount` is wanted). */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new ValidationError('first', `must be an integer between 0 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/** `newestFirst` walks the rows from the newest back (`after` then means "older than"). */
export async function paginate<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  options: { newestFirst?: boolean } = {},
): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const afterId = args.after === null || args.after === undefined ? null : decodeCursor(args.after);
  const pageWhere = (afterId === null ? where : { $and: [where, { id: { [options.newestFirst ? '$lt' : '$gt']: afterId } }] }) as FilterQuery<T>;
  const totalCount = await em.count(entity, where);
  if (limit === 0) {
    const remaining = afterId === null ? totalCount : await em.count(entity, pageWhere);
    return { edges: [], pageInfo: { hasNextPage: remaining > 0, endCursor: null }, totalCount };
  }
  const rows = (await em.find(entity, pageWhere, { orderBy: { id: options.newestFirst ? 'desc' : 'asc' } as never, limit: limit + 1 })) as T[];
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: { hasNextPage, endCursor: edges.length > 0 ? edges[edges.length - 1]!.cursor : null },
    totalCount,
  };
}
