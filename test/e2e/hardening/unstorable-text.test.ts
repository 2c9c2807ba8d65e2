import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHubSchema } from '../../../src/api/build-schema.js';
import { newId } from '../../../src/domain/ids.js';
import { onlyError, startTestHub, type TestHub } from '../../helpers/hub-harness.js';

/**
 * Issue 15, finding 7: a NUL character or a lone UTF-16 surrogate in any id or string argument
 * reached SQLite (which stops at the NUL) and came back as INTERNAL_SERVER_ERROR. Every String and
 * ID argument of every query and mutation — at the top, inside input objects, inside lists — is
 * refused with BAD_USER_INPUT naming it, before anything runs. The operations are generated from
 * the schema, so arguments added later are covered without editing this test.
 */

const BAD = { nul: 'a\u0000b', 'lone surrogate': 'x\uD800y' } as const;

/** A value GraphQL accepts for `type`, with the String/ID at `target` (a path below it) replaced by `bad`. */
function sample(type: GraphQLInputType, target: string[] | null, bad: string, depth = 0): unknown {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) {
    const item = sample(inner.ofType as GraphQLInputType, target && target[0] === '[0]' ? target.slice(1) : null, bad, depth);
    return [item];
  }
  if (isInputObjectType(inner)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      const onPath = target !== null && target[0] === field.name;
      if (onPath || (isNonNullType(field.type) && field.defaultValue === undefined)) out[field.name] = sample(field.type, onPath ? target.slice(1) : null, bad, depth + 1);
    }
    return out;
  }
  if (isEnumType(inner)) return inner.getValues()[0]!.value;
  if (isScalarType(inner)) {
    if (target !== null && target.length === 0) return bad;
    switch (inner.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'DateTime':
        return '2030-01-01T00:00:00.000Z';
      default:
        return 'x';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

/** Every path from an argument down to a String or ID it holds (`[0]` for a list item); recursion stops at depth 4. */
function textPaths(type: GraphQLInputType, depth = 0): string[][] {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return textPaths(inner.ofType as GraphQLInputType, depth).map((p) => ['[0]', ...p]);
  if (isInputObjectType(inner)) {
    if (depth > 4) return [];
    return Object.values(inner.getFields()).flatMap((f) => textPaths(f.type, depth + 1).map((p) => [f.name, ...p]));
  }
  return isScalarType(inner) && (inner.name === 'String' || inner.name === 'ID') ? [[]] : [];
}

/** How the hub names a path: `input` is implied (`hostUserId`), other arguments are named (`filter.email`, `calendarIds[0]`). */
function fieldName(arg: string, path: string[]): string {
  const parts = arg === 'input' ? path : [arg, ...path];
  return parts.reduce((name, part) => (part === '[0]' ? `${name}[0]` : name === '' ? part : `${name}.${part}`), '');
}

interface Case {
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  arg: GraphQLArgument;
  path: string[];
}

let t: TestHub;
let cases: Case[];
beforeAll(async () => {
  t = await startTestHub();
  const schema = await buildHubSchema({ pubsub: t.hub.pubsub });
  cases = (['query', 'mutation'] as const).flatMap((operation) => {
    const root = operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
    return Object.values(root.getFields()).flatMap((field) => field.args.flatMap((arg) => textPaths(arg.type).map((path) => ({ operation, field, arg, path }))));
  });
});
afterAll(async () => {
  await t.close();
});

function request(c: Case, bad: string): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  const declared: string[] = [];
  const passed: string[] = [];
  for (const arg of c.field.args) {
    const onPath = arg === c.arg;
    if (!onPath && !(isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    variables[arg.name] = sample(arg.type, onPath ? c.path : null, bad);
    declared.push(`$${arg.name}: ${String(arg.type)}`);
    passed.push(`${arg.name}: $${arg.name}`);
  }
  const selection = isCompositeType(getNamedType(c.field.type)) ? ' { __typename }' : '';
  return { query: `${c.operation} Probe(${declared.join(', ')}) { ${c.field.name}(${passed.join(', ')})${selection} }`, variables };
}

describe('text arguments with NUL characters or lone surrogates', () => {
  it('cover the arguments of the schema (the generated cases are not empty)', () => {
    const names = cases.map((c) => `${c.field.name}:${fieldName(c.arg.name, c.path)}`);
    expect(names).toContain('upsertHostUser:hostUserId');
    expect(names).toContain('hostUsers:filter.hostUserIds[0]');
    expect(names).toContain('setConflictCalendars:calendarIds[0]');
    expect(cases.length).toBeGreaterThan(30);
  });

  for (const [kind, bad] of Object.entries(BAD)) {
    it(`are refused with BAD_USER_INPUT naming the argument, for every String and ID argument (${kind})`, async () => {
      const refused: string[] = [];
      const wrong: { field: string; got: unknown }[] = [];
      for (const c of cases) {
        const { query, variables } = request(c, bad);
        const result = await t.rawGql(query, variables, t.adminKey);
        const field = `${c.field.name}:${fieldName(c.arg.name, c.path)}`;
        const error = result.errors?.[0];
        if (result.errors?.length === 1 && error?.extensions?.code === 'BAD_USER_INPUT' && error.extensions.field === fieldName(c.arg.name, c.path)) refused.push(field);
        else wrong.push({ field, got: result.errors ?? result.data });
      }
      expect(wrong).toEqual([]);
      expect(refused.length).toBe(cases.length);
    });
  }

  it('are refused in literals of the query text too, and over WebSocket', async () => {
    const literal = await t.rawGql(`{ hostUser(id: "${newId('hostUser')}\\u0000") { id } }`, {}, t.adminKey);
    expect(onlyError(literal).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    await expect(t.wsClient(t.adminKey!).iterate({ query: 'subscription($t: ID) { tenantChanged(tenantId: $t) { change } }', variables: { t: 'x\u0000' } }).next()).rejects.toSatisfy(
      (errors: unknown) => Array.isArray(errors) && (errors as { extensions?: { code?: string; field?: string } }[])[0]?.extensions?.field === 'tenantId',
    );
  });
});
