import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

// A NUL stops SQLite's text handling (the driver inlines parameters) and a lone surrogate is not
// text at all: neither can be stored, compared or sent to a provider faithfully.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_REASON = 'must not contain NUL characters or unpaired surrogates';

type Path = (string | number)[];

/**
 * How an argument path is named to the client, as the services name fields: an `input` argument
 * is implied (`hostUserId`, `settings.titleMarkers.host`), other arguments are named (`filter.email`),
 * list items get an index (`calendarIds[2]`).
 */
export function fieldNameOf(path: Path): string {
  const parts = path[0] === 'input' ? path.slice(1) : path;
  return parts.reduce<string>((name, part) => (typeof part === 'number' ? `${name}[${part}]` : name === '' ? part : `${name}.${part}`), '');
}

/**
 * The first argument of the operation holding a string that cannot be stored — in the query text
 * or in a variable, at any depth of input objects and lists (JSON object keys included) — as the
 * field name the client sees, or null when there is none. Every field of the operation is looked
 * at, through fragments, so the check covers every argument the schema has or will have.
 */
export function unstorableArgument(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): string | null {
  const defaults = new Map(operation.variableDefinitions?.map((d) => [d.variable.name.value, d.defaultValue] as const) ?? []);
  const seenFragments = new Set<string>();

  const json = (value: unknown, path: Path): Path | null => {
    if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) {
        const found = json(item, [...path, i]);
        if (found) return found;
      }
      return null;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (UNSTORABLE.test(key)) return [...path, key];
        const found = json(item, [...path, key]);
        if (found) return found;
      }
    }
    return null;
  };

  const literal = (node: ValueNode, path: Path): Path | null => {
    switch (node.kind) {
      case Kind.STRING:
        return UNSTORABLE.test(node.value) ? path : null;
      case Kind.VARIABLE: {
        const name = node.name.value;
        if (variables && Object.hasOwn(variables, name)) return json(variables[name], path);
        const fallback = defaults.get(name);
        return fallback ? literal(fallback, path) : null;
      }
      case Kind.LIST:
        for (const [i, item] of node.values.entries()) {
          const found = literal(item, [...path, i]);
          if (found) return found;
        }
        return null;
      case Kind.OBJECT:
        for (const field of node.fields) {
          const found = literal(field.value, [...path, field.name.value]);
          if (found) return found;
        }
        return null;
      default:
        return null;
    }
  };

  const selections = (set: SelectionSetNode): Path | null => {
    for (const selection of set.selections) {
      let found: Path | null = null;
      if (selection.kind === Kind.FIELD) {
        for (const arg of selection.arguments ?? []) {
          found ??= literal(arg.value, [arg.name.value]);
        }
        if (!found && selection.selectionSet) found = selections(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        found = selections(selection.selectionSet);
      } else {
        const fragment = fragments[selection.name.value];
        // Each fragment is looked at once: its arguments do not depend on where it is spread.
        if (fragment && !seenFragments.has(fragment.name.value)) {
          seenFragments.add(fragment.name.value);
          found = selections(fragment.selectionSet);
        }
      }
      if (found) return found;
    }
    return null;
  };

  const found = selections(operation.selectionSet);
  return found ? fieldNameOf(found) : null;
}
