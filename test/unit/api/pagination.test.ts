import { describe, expect, it } from 'vitest';
import { mapNodes } from '../../../src/api/pagination/connection.type.js';
import { isValidationError, type ValidationError } from '../../../src/domain/errors.js';
import { newId } from '../../../src/domain/ids.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize } from '../../../src/store/repositories/paginate.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('pagination cursors', () => {
  it('round-trips a hub id through an opaque cursor', () => {
    const id = newId('tenant');
    const cursor = encodeCursor(id);
    expect(cursor).not.toContain(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(id);
  });

  it('keeps the order of the ids it encodes (later ids decode to greater ids)', () => {
    const ids = [newId('hostUser'), newId('hostUser'), newId('hostUser')];
    const decoded = ids.map((id) => decodeCursor(encodeCursor(id)));
    expect([...decoded].sort()).toEqual(decoded);
  });

  it.each([
    ['not base64url', 'a+b/c=='],
    ['a raw id', newId('tenant')],
    ['base64 of something else', Buffer.from('offset:20').toString('base64url')],
    ['an id with a bad body', Buffer.from('id:ten_123').toString('base64url')],
    ['empty', ''],
  ])('rejects %s as BAD_USER_INPUT on the "after" argument', (_label, cursor) => {
    const error = thrown(() => decodeCursor(cursor));
    expect(isValidationError(error)).toBe(true);
    expect((error as ValidationError).field).toBe('after');
    expect((error as ValidationError).code).toBe('BAD_USER_INPUT');
  });

  it('uses the default page size when first is omitted and accepts 0 to the maximum', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(0)).toBe(0);
    expect(pageSize(MAX_PAGE_SIZE)).toBe(MAX_PAGE_SIZE);
  });

  it.each([-1, MAX_PAGE_SIZE + 1, 2.5])('rejects first = %s naming the "first" argument', (first) => {
    const error = thrown(() => pageSize(first));
    expect((error as ValidationError).field).toBe('first');
  });
});

describe('mapNodes', () => {
  it('maps the nodes and leaves totalCount to be counted only when it is read', async () => {
    let counted = 0;
    const page = Object.defineProperty({ edges: [{ cursor: 'c1', node: 1 }], pageInfo: { hasNextPage: false, endCursor: 'c1' } }, 'totalCount', {
      enumerable: true,
      get: () => Promise.resolve(++counted),
    }) as { edges: { cursor: string; node: number }[]; pageInfo: { hasNextPage: boolean; endCursor: string }; totalCount: Promise<number> };
    const mapped = mapNodes(page, (n) => `node ${n}`);
    expect(mapped.edges).toEqual([{ cursor: 'c1', node: 'node 1' }]);
    expect(mapped.pageInfo).toEqual({ hasNextPage: false, endCursor: 'c1' });
    expect(counted).toBe(0);
    expect(await mapped.totalCount).toBe(1);
  });
});
