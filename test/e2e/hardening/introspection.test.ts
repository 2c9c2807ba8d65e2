import { getIntrospectionQuery, Kind, parse, print, type DefinitionNode, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { onlyError, startTestHub, type TestHub } from '../../helpers/hub-harness.js';

/**
 * Issue 15, finding 1: introspection was on in production and open without a key, its fields were
 * free in the cost estimate, and aliases were unbounded — 150 aliased `__schema` selections made one
 * keyless request cost 6.4 MB and a second of CPU.
 */
/** The whole-schema download tools send (Apollo Sandbox, codegen), its `__schema` aliased `count` times. */
function aliasedSchemaDownloads(count: number): string {
  const document = parse(getIntrospectionQuery());
  const [operation, ...fragments] = document.definitions as [OperationDefinitionNode, ...DefinitionNode[]];
  const field = operation.selectionSet.selections[0] as FieldNode;
  const selections = Array.from({ length: count }, (_, i): FieldNode => ({ ...field, alias: { kind: Kind.NAME, value: `a${i}` } }));
  return print({ ...document, definitions: [{ ...operation, selectionSet: { ...operation.selectionSet, selections } }, ...fragments] });
}
const aliased = (count: number, selection: string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(' ')} }`;

describe('introspection', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.close();
  });

  it('needs an API key: __schema and __type without one are 401 UNAUTHENTICATED', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }', 'query { ...Q } fragment Q on Query { __schema { queryType { name } } }']) {
      const keyless = await t.rawGql(query, {}, null);
      expect(keyless.status).toBe(401);
      expect(onlyError(keyless).extensions?.code).toBe('UNAUTHENTICATED');
      expect((await t.rawGql(query, {}, t.adminKey)).errors).toBeUndefined();
    }
  });

  it('lets a tool load the whole schema with a key, within the default cost limit', async () => {
    const full = await t.rawGql(getIntrospectionQuery(), {}, t.adminKey);
    expect(full.errors).toBeUndefined();
    expect((full.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(20);
  });

  it('counts __schema in the cost: five aliased whole-schema downloads in one request are refused before they run', async () => {
    const r = await t.rawGql(aliasedSchemaDownloads(5), {}, t.adminKey);
    expect(r.status).toBe(400);
    expect(onlyError(r).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxComplexity: 5000 });
  });
});

describe('aliases', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.close();
  });

  it('are capped per operation (GRAPHQL_MAX_ALIASES, default 50), counting aliases in fragments where they are spread', async () => {
    expect((await t.rawGql(aliased(50, 'viewer { role }'), {}, t.adminKey)).errors).toBeUndefined();
    const tooMany = await t.rawGql(aliased(51, 'viewer { role }'), {}, t.adminKey);
    expect(tooMany.status).toBe(400);
    expect(onlyError(tooMany)).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', aliases: 51, maxAliases: 50 } });
    expect(onlyError(tooMany).message).toContain('GRAPHQL_MAX_ALIASES');
    const spread = `query { ...A ...B } fragment A on Query { ${Array.from({ length: 30 }, (_, i) => `x${i}: viewer { role }`).join(' ')} } fragment B on Query { ...A }`;
    expect(onlyError(await t.rawGql(spread, {}, t.adminKey)).extensions).toMatchObject({ aliases: 60 });
  });

  it('are refused before the key is even looked at: a keyless flood of aliased __schema costs nothing', async () => {
    const r = await t.rawGql(aliased(150, '__schema { queryType { name } }'), {}, null);
    expect(r.status).toBe(400);
    expect(onlyError(r).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxAliases: 50 });
  });
});

describe('fragment bombs', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Each fragment spreads the next one twice: 2^levels fields once expanded, a few hundred bytes as text. */
  const bomb = (levels: number) =>
    `query { ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { viewer { role } }`;

  it('are measured without being expanded and refused, with a key or without', async () => {
    for (const key of [t.adminKey, null]) {
      const r = await t.rawGql(bomb(40), {}, key);
      expect(r.status).toBe(400);
      expect(onlyError(r).extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    expect((await t.rawGql(bomb(3), {}, t.adminKey)).errors).toBeUndefined();
  });
});

describe('introspection by default', () => {
  it('is off with NODE_ENV=production unless GRAPHQL_INTROSPECTION=true, and on otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).graphql.introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).graphql.introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', GRAPHQL_INTROSPECTION: 'false' }).graphql.introspection).toBe(false);
  });
});
