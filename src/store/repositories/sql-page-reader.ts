import type { EntityMetadata, EntityName, EntityProperty, FilterQuery, Platform } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/libsql';

/**
 * The read path of list pages on SQLite: one SQL statement per query shape, run on the ORM's own
 * libsql connection (taken from and returned to its pool, so a page waits for a transaction in
 * progress exactly as an ORM read does), rows mapped to plain objects with the entity's property
 * names and types. It skips the query builder (knex building the same text anew on every call)
 * and the entity hydration and identity map (a page is read-only), about a third of the CPU of a
 * small authenticated list request. The statement text is the same for the same shape of filter,
 * so the driver's statement cache (libsql-driver.ts) prepares it once per connection.
 *
 * It reads what the ORM would: the same rows, in the same order, with the same values (tests
 * compare both paths). Filters it cannot translate exactly (`$or`, arrays without `$in`, empty
 * `$in`, JSON columns, relations) and entities it cannot map return `null`, and the caller uses
 * the ORM's query builder instead.
 */

/** A stored record as a page returns it: the entity's fields, without its methods. */
export type Stored<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };

interface RawStatement {
  all(params: unknown[]): unknown[];
  get(params: unknown[]): unknown;
}

interface RawConnection {
  prepare(sql: string): RawStatement;
}

interface PoolClient {
  driverName: string;
  acquireConnection(): Promise<RawConnection>;
  releaseConnection(connection: RawConnection): Promise<unknown>;
}

type Column = { name: string; column: string; read: (value: unknown) => unknown };

interface Table {
  name: string;
  columns: Column[];
  /** Property name → column, for the properties a filter may name. */
  filterable: Map<string, string>;
}

const quote = (identifier: string) => `\`${identifier.replaceAll('`', '``')}\``;

/** How the libsql dialect binds a value (knex's better-sqlite3 bindings): dates as epoch ms, booleans as 0/1. */
function bindValue(value: unknown): unknown {
  if (value instanceof Date) return value.valueOf();
  if (typeof value === 'boolean') return Number(value);
  return value;
}

const isScalar = (value: unknown) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date;

const COMPARISONS: Record<string, string> = { $eq: '=', $ne: '!=', $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

/** Appends `where` as SQL to `parts` and its values to `params`; false when the filter is not one this path translates exactly. */
function compileWhere(table: Table, where: unknown, parts: string[], params: unknown[]): boolean {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) return false;
  for (const [key, value] of Object.entries(where)) {
    if (key === '$and') {
      if (!Array.isArray(value) || value.length === 0) return false;
      for (const part of value) if (!compileWhere(table, part, parts, params)) return false;
      continue;
    }
    const column = table.filterable.get(key);
    if (column === undefined) return false;
    const col = quote(column);
    if (value === null) {
      parts.push(`${col} is null`);
    } else if (isScalar(value)) {
      parts.push(`${col} = ?`);
      params.push(bindValue(value));
    } else if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [op, operand] of Object.entries(value as Record<string, unknown>)) {
        if ((op === '$in' || op === '$nin') && Array.isArray(operand) && operand.length > 0 && operand.every(isScalar)) {
          parts.push(`${col} ${op === '$in' ? 'in' : 'not in'} (${operand.map(() => '?').join(', ')})`);
          for (const item of operand) params.push(bindValue(item));
        } else if ((op === '$eq' || op === '$ne') && operand === null) {
          parts.push(`${col} is ${op === '$eq' ? '' : 'not '}null`);
        } else if (COMPARISONS[op] !== undefined && isScalar(operand)) {
          parts.push(`${col} ${COMPARISONS[op]} ?`);
          params.push(bindValue(operand));
        } else {
          return false;
        }
      }
    } else {
      return false;
    }
  }
  return true;
}

/** Reads a column as the ORM hydrates it: custom types (JSON) through the type, dates from epoch ms, booleans from 0/1. */
function columnReader(prop: EntityProperty, platform: Platform): Column['read'] | null {
  if (prop.customType) {
    const type = prop.customType;
    return (value) => (value === null || value === undefined ? null : type.convertToJSValue(value, platform));
  }
  switch (prop.runtimeType) {
    case 'Date':
      return (value) => (value === null || value === undefined ? null : new Date(value as number | string));
    case 'boolean':
      return (value) => (value === null || value === undefined ? null : Boolean(value));
    case 'string':
    case 'number':
      return (value) => (value === undefined ? null : value);
    default:
      return null;
  }
}

const tables = new WeakMap<EntityMetadata, Table | null>();

/** The table of an entity made only of scalar columns, or `null` (relations, embeddables, formulas: the ORM's path). */
function tableOf(meta: EntityMetadata, platform: Platform): Table | null {
  let table = tables.get(meta);
  if (table !== undefined) return table;
  table = { name: meta.tableName, columns: [], filterable: new Map() };
  for (const prop of meta.props) {
    const read = prop.kind === 'scalar' && prop.persist !== false && !prop.formula && prop.fieldNames?.length === 1 ? columnReader(prop, platform) : null;
    if (read === null) {
      table = null;
      break;
    }
    table.columns.push({ name: prop.name, column: prop.fieldNames[0]!, read });
    if (!prop.customType) table.filterable.set(prop.name, prop.fieldNames[0]!);
  }
  tables.set(meta, table);
  return table;
}

export interface SqlPageReader<T> {
  /** Rows matching `where`, ordered by id, at most `limit`; `null` when the filter is not one this path translates. */
  find(where: FilterQuery<T>, order: 'asc' | 'desc', limit: number): Promise<Stored<T>[] | null>;
  count(where: FilterQuery<T>): Promise<number | null>;
}

/** The reader for an entity on the hub's libsql connection, or `null` (another SQL driver, a transaction in progress, an entity it cannot map). */
export function sqlPageReader<T>(em: SqlEntityManager, entity: EntityName<T>): SqlPageReader<T> | null {
  // Inside a transaction, reads must see its own writes: they go through the ORM, on the transaction's connection.
  if (em.isInTransaction()) return null;
  const client = em.getConnection().getKnex().client as PoolClient;
  if (client.driverName !== 'libsql') return null;
  const table = tableOf(em.getMetadata().get(entity as EntityName<object>), em.getPlatform());
  if (table === null) return null;

  const run = async <R>(sql: string, params: unknown[], read: (statement: RawStatement) => R): Promise<R> => {
    const connection = await client.acquireConnection();
    try {
      return read(connection.prepare(sql));
    } finally {
      await client.releaseConnection(connection);
    }
  };
  const whereSql = (where: FilterQuery<T>, params: unknown[]): string | null => {
    const parts: string[] = [];
    if (!compileWhere(table, where, parts, params)) return null;
    return parts.length === 0 ? '' : ` where ${parts.join(' and ')}`;
  };
  const select = `select ${table.columns.map((c) => quote(c.column)).join(', ')} from ${quote(table.name)}`;
  const idColumn = quote(table.filterable.get('id') ?? 'id');

  return {
    async find(where, order, limit) {
      const params: unknown[] = [];
      const condition = whereSql(where, params);
      if (condition === null) return null;
      params.push(limit);
      const rows = await run(`${select}${condition} order by ${idColumn} ${order} limit ?`, params, (s) => s.all(params) as Record<string, unknown>[]);
      return rows.map((row) => {
        const record: Record<string, unknown> = {};
        for (const c of table.columns) record[c.name] = c.read(row[c.column]);
        return record as Stored<T>;
      });
    },
    async count(where) {
      const params: unknown[] = [];
      const condition = whereSql(where, params);
      if (condition === null) return null;
      const row = await run(`select count(*) as count from ${quote(table.name)}${condition}`, params, (s) => s.get(params) as { count: number | bigint });
      return Number(row.count);
    },
  };
}
