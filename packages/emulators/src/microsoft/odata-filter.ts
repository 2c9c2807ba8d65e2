import { extendedPropertyKey } from './event-input.js';
import { GraphError } from './graph-errors.js';

/**
 * The OData `$filter` subset the hub and its tests use against `/events` and `/calendarView`:
 * comparisons (`eq ne gt ge lt le`) on property paths, `contains`/`startswith`/`endswith`,
 * `and`/`or`/`not`, parentheses, and lambdas such as
 * `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')` and
 * `Extensions/any(f: f/id eq '…')` (docs/providers.md#graph-hub-tag). String comparisons are
 * case-insensitive as in Exchange, except the name part of an extended property id. Anything else is
 * 400 "Invalid filter clause".
 */

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; value: string };
export type FilterPredicate = (item: Record<string, unknown>) => boolean;

const invalid = (detail: string) => new GraphError(400, 'BadRequest', `Invalid filter clause: ${detail}`);
const EXT_KEY = Symbol('extendedProperty');

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) throw invalid('unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += src[i++];
      }
      out.push({ kind: 'string', value });
    } else if ('()/,:'.includes(c)) {
      out.push({ kind: 'punct', value: c });
      i++;
    } else {
      const m = /^[-A-Za-z0-9_.+:]+/.exec(src.slice(i));
      if (!m) throw invalid(`unexpected '${c}'`);
      let value = m[0];
      // A bare identifier stops at ':' (lambda variable), a date-time literal keeps it.
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) && value.includes(':')) value = value.slice(0, value.indexOf(':'));
      out.push({ kind: /^-?\d/.test(value) ? 'number' : 'ident', value });
      i += value.length;
    }
  }
  return out;
}

type Value = unknown;
type Getter = (item: Record<string, unknown>, scope: Map<string, unknown>) => Value;

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw invalid('unexpected end of expression');
    return t;
  }
  private expect(value: string): void {
    const t = this.next();
    if (t.value !== value) throw invalid(`expected '${value}' but found '${t.value}'`);
  }
  private isWord(t: Token | undefined, word: string): boolean {
    return t?.kind === 'ident' && t.value.toLowerCase() === word;
  }

  parse(): (item: Record<string, unknown>, scope: Map<string, unknown>) => boolean {
    const e = this.or();
    if (this.pos !== this.tokens.length) throw invalid(`unexpected '${this.peek()!.value}'`);
    return e;
  }

  private or() {
    let left = this.and();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      const l = left;
      const r = this.and();
      left = (i, s) => l(i, s) || r(i, s);
    }
    return left;
  }

  private and() {
    let left = this.unary();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      const l = left;
      const r = this.unary();
      left = (i, s) => l(i, s) && r(i, s);
    }
    return left;
  }

  private unary(): (item: Record<string, unknown>, scope: Map<string, unknown>) => boolean {
    if (this.isWord(this.peek(), 'not')) {
      this.next();
      const inner = this.unary();
      return (i, s) => !inner(i, s);
    }
    if (this.peek()?.value === '(') {
      this.next();
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    const t = this.peek();
    if (t?.kind === 'ident' && ['contains', 'startswith', 'endswith'].includes(t.value.toLowerCase()) && this.peek(1)?.value === '(') {
      this.next();
      this.expect('(');
      const path = this.path();
      this.expect(',');
      const lit = this.literal();
      this.expect(')');
      const fn = t.value.toLowerCase();
      return (i, s) => {
        const v = path.get(i, s);
        if (typeof v !== 'string' || typeof lit !== 'string') return false;
        const a = v.toLowerCase();
        const b = lit.toLowerCase();
        return fn === 'contains' ? a.includes(b) : fn === 'startswith' ? a.startsWith(b) : a.endsWith(b);
      };
    }
    const path = this.path();
    if (path.lambda) return path.lambda;
    const opTok = this.next();
    const op = opTok.value.toLowerCase();
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw invalid(`unknown operator '${opTok.value}'`);
    const lit = this.literal();
    return (i, s) => compare(path.get(i, s), op, lit, path.isExtendedId(i, s));
  }

  private literal(): Value {
    const t = this.next();
    if (t.kind === 'string') return t.value;
    if (t.kind === 'number') return /^\d{4}-\d{2}-\d{2}/.test(t.value) ? t.value : Number(t.value);
    if (t.kind === 'ident') {
      const v = t.value.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      if (v === 'null') return null;
    }
    throw invalid(`expected a literal but found '${t.value}'`);
  }

  /** A property path; when it ends in `any(...)`/`all(...)` the lambda predicate is returned instead. */
  private path(): {
    get: Getter;
    lambda?: (item: Record<string, unknown>, scope: Map<string, unknown>) => boolean;
    isExtendedId: (item: Record<string, unknown>, scope: Map<string, unknown>) => boolean;
  } {
    const segments: string[] = [];
    const first = this.next();
    if (first.kind !== 'ident') throw invalid(`expected a property but found '${first.value}'`);
    segments.push(first.value);
    while (this.peek()?.value === '/') {
      this.next();
      const seg = this.next();
      if (seg.kind !== 'ident') throw invalid(`expected a property but found '${seg.value}'`);
      const lower = seg.value.toLowerCase();
      if ((lower === 'any' || lower === 'all') && this.peek()?.value === '(') {
        this.next();
        const variable = this.next();
        if (variable.kind !== 'ident') throw invalid('expected a lambda variable');
        this.expect(':');
        const body = this.or();
        this.expect(')');
        const collection = resolver(segments);
        const lambda = (item: Record<string, unknown>, scope: Map<string, unknown>) => {
          const coll = collection(item, scope);
          if (!Array.isArray(coll)) return false;
          const test = (el: unknown) => body(item, new Map([...scope, [variable.value.toLowerCase(), el]]));
          return lower === 'any' ? coll.some(test) : coll.every(test);
        };
        return { get: () => undefined, lambda, isExtendedId: () => false };
      }
      segments.push(seg.value);
    }
    const get = resolver(segments);
    const parent = segments.length > 1 ? resolver(segments.slice(0, -1)) : null;
    return {
      get,
      isExtendedId: (i, s) => {
        if (!parent || segments[segments.length - 1]!.toLowerCase() !== 'id') return false;
        const owner = parent(i, s);
        return typeof owner === 'object' && owner !== null && EXT_KEY in owner;
      },
    };
  }
}

function resolver(segments: string[]): Getter {
  return (item, scope) => {
    let cur: unknown;
    let rest = segments;
    const head = segments[0]!.toLowerCase();
    if (scope.has(head)) {
      cur = scope.get(head);
      rest = segments.slice(1);
    } else {
      cur = item;
    }
    for (const seg of rest) {
      if (typeof cur !== 'object' || cur === null) return undefined;
      const key = Object.keys(cur).find((k) => k.toLowerCase() === seg.toLowerCase());
      cur = key === undefined ? undefined : (cur as Record<string, unknown>)[key];
    }
    return cur;
  };
}

function compare(a: unknown, op: string, b: unknown, extendedId: boolean): boolean {
  let x = a;
  let y = b;
  if (extendedId && typeof x === 'string' && typeof y === 'string') {
    x = extendedPropertyKey(x);
    y = extendedPropertyKey(y);
  } else if (typeof x === 'string' && typeof y === 'string') {
    x = x.toLowerCase();
    y = y.toLowerCase();
  }
  switch (op) {
    case 'eq':
      return x === y || (x == null && y == null);
    case 'ne':
      return !(x === y || (x == null && y == null));
    default: {
      if (x == null || y == null) return false;
      const xs = x as string | number;
      const ys = y as string | number;
      return op === 'gt' ? xs > ys : op === 'ge' ? xs >= ys : op === 'lt' ? xs < ys : xs <= ys;
    }
  }
}

/** Compiles a `$filter`. Items are rendered events plus their (unexpanded) extended properties and extensions. */
export function compileFilter(src: string): FilterPredicate {
  const parse = new Parser(tokenize(src)).parse();
  return (item) => parse(item, new Map());
}

/** Marks extended-property objects so `ep/id` comparisons use the id's normal form. */
export function filterableExtendedProperties(props: { id: string; value: string }[]): Record<string, unknown>[] {
  return props.map((p) => ({ id: p.id, value: p.value, [EXT_KEY]: true }));
}
