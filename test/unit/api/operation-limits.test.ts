import { parse, validate, specifiedRules, type FragmentDefinitionNode, Kind, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildHubSchema } from '../../../src/api/build-schema.js';
import { complexityError, depthLimitRule, operationComplexity, operationCost, operationDepth, ratePoints, STORE_LOOKUP_COST } from '../../../src/api/limits/operation-limits.js';
import { COST } from '../../../src/api/limits/cost.js';
import { OperationGuard } from '../../../src/api/limits/operation-guard.js';
import { createPubSub } from '../../../src/events/create-pubsub.js';
import { createLogger } from '../../../src/logger.js';

function depthOf(query: string): number {
  const doc = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return operationDepth(op.selectionSet, fragments);
}

describe('operation depth', () => {
  it('counts nested selections, through fragments and inline fragments', () => {
    expect(depthOf('{ a }')).toBe(1);
    expect(depthOf('{ a { b { c } } d }')).toBe(3);
    expect(depthOf('query { a { ...F } } fragment F on A { b { ... on B { c { d } } } }')).toBe(4);
  });

  it('does not count introspection, so schema tools keep working under a low limit', () => {
    expect(depthOf('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')).toBe(0);
  });

  it('stops at fragment cycles instead of looping', () => {
    expect(depthOf('{ a { ...F } } fragment F on A { b { ...F } }')).toBe(2);
  });
});

describe('operation limits against the hub schema', () => {
  const pubsub = createPubSub({ kind: 'in-process' }, createLogger({ level: 'silent' }));
  const schemaPromise = buildHubSchema({ pubsub });

  it('reports a query deeper than the limit with the depth and the limit', async () => {
    const schema = await schemaPromise;
    const doc = parse('{ tenants { edges { node { settings { polling { activeIntervalMinutes } } } } } }');
    const errors = validate(schema, doc, [...specifiedRules, depthLimitRule(4)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('Query depth 6 exceeds the limit of 4 (GRAPHQL_MAX_DEPTH); ask for fewer nested levels');
    expect(validate(schema, doc, [...specifiedRules, depthLimitRule(6)])).toEqual([]);
  });

  it('multiplies a list selection by the page size asked for', async () => {
    const schema = await schemaPromise;
    const doc = parse('query($n: Int) { tenants(first: $n) { edges { node { id name } } } }');
    const small = operationComplexity(schema, doc, { n: 1 }, undefined)!;
    const large = operationComplexity(schema, doc, { n: 100 }, undefined)!;
    expect(large).toBeGreaterThan(small * 50);
    expect(complexityError(large, 100)?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', complexity: large, maxComplexity: 100 });
    expect(complexityError(small, 100)).toBeNull();
  });

  it('guards a document sent again with other variables by those variables (estimates are remembered per document and variables)', async () => {
    const schema = await schemaPromise;
    const guard = new OperationGuard({ maxDepth: 10, maxComplexity: 100, maxAliases: 10, rateLimitPerMinute: 0 });
    const document = parse('query Page($n: Int) { tenants(first: $n) { edges { node { id name } } } } query Fixed { tenants(first: 100) { edges { node { id name } } } }');
    const [page, fixed] = document.definitions as OperationDefinitionNode[];
    const check = (operation: OperationDefinitionNode, variables: Record<string, unknown>) => guard.check({ schema, document, operation, variables, caller: null })?.extensions?.code ?? null;
    for (let round = 0; round < 2; round++) {
      expect(check(page!, { n: 1 })).toBeNull();
      expect(check(page!, { n: 100 })).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(check(fixed!, { n: 1 })).toBe('GRAPHQL_VALIDATION_FAILED');
      // An input object is no cache key: estimated every time, with the same answer.
      expect(check(page!, { n: 1, unused: { a: 1 } })).toBeNull();
    }
  });

  it('charges a field its resolver loads from the store once per item of the page', async () => {
    const schema = await schemaPromise;
    const cost = (query: string) => operationComplexity(schema, parse(query), {}, undefined)!;
    const plain = cost('{ appointments(first: 10) { edges { node { id subject } } } }');
    expect(cost('{ appointments(first: 10) { edges { node { id user { id } } } } }') - plain).toBe(10 * STORE_LOOKUP_COST);
    // A list loaded from the store counts its selection once per item it holds in practice.
    expect(cost('{ appointments(first: 10) { edges { node { id mappings { id state } } } } }')).toBeGreaterThan(cost('{ appointments(first: 10) { edges { node { id user { id hostUserId } } } } }'));
    // Lists stored with their parent cost 1 per field.
    expect(cost('{ appointments(first: 10) { edges { node { id attendees { email } } } } }')).toBe(plain + 10);
  });

  it('keeps the declared costs of mutations apart, and charges the rate limit a tenth of the reads', async () => {
    const schema = await schemaPromise;
    const read = operationCost(schema, parse('{ tenants(first: 100) { edges { node { id name } } } }'), {}, undefined)!;
    expect(read.declared).toBe(0);
    expect(ratePoints(read)).toBe(Math.ceil(read.complexity / 10));
    const writes = operationCost(schema, parse('mutation { a: createTenant(input: { name: "a" }) { id name } b: createTenant(input: { name: "b" }) { id } }'), {}, undefined)!;
    expect(writes).toEqual({ complexity: 2 * COST.WRITE + 3, declared: 2 * COST.WRITE });
    expect(ratePoints(writes)).toBe(2 * COST.WRITE + 1);
    const refresh = operationCost(schema, parse('mutation { refreshCalendars(connectionId: "x") { id } }'), {}, undefined)!;
    expect(refresh.declared).toBe(2 * COST.PROVIDER_REQUEST);
  });

  it('leaves variables that do not fit the operation to execution (no estimate)', async () => {
    const schema = await schemaPromise;
    const doc = parse('query($n: Int) { tenants(first: $n) { totalCount } }');
    expect(operationComplexity(schema, doc, { n: 'many' }, undefined)).toBeNull();
  });
});
