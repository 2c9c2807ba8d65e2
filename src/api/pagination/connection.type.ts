import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

@ObjectType({ description: 'Where a page ends (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page; null on an empty page.' })
  endCursor!: string | null;
}

/** `<Name>Edge`: a node and its cursor. */
export function EdgeType<TNode extends object>(name: string, nodeType: ClassType<TNode>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => nodeType)
    node!: TNode;
  }
  return Edge;
}

/**
 * Builds `<Name>Edge` and an abstract connection class for a node type; each list declares its own
 * `@ObjectType() class <Name>Connection extends ConnectionType('<Name>', NodeType) {}`.
 * Services return `Page<T>` (store/repositories/paginate.ts), which already has this shape.
 */
export function ConnectionType<TNode extends object>(name: string, nodeType: ClassType<TNode>) {
  const Edge = EdgeType(name, nodeType);

  // Never emitted itself (type-graphql 2 emits only types reachable from a resolver); the unique
  // name keeps it clear of real types such as a future `Connection` (a linked calendar account).
  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionBase {
    @Field(() => [Edge])
    edges!: InstanceType<typeof Edge>[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Items matching the query, over all pages.' })
    totalCount!: number;
  }

  return ConnectionBase;
}

/**
 * A page with its nodes mapped (entities to the API's view of them). The other properties are
 * copied as they are: `totalCount` stays a getter, so the count still runs only when selected.
 */
export function mapNodes<T, U, P extends { edges: { cursor: string; node: T }[] }>(page: P, view: (node: T) => U): Omit<P, 'edges'> & { edges: { cursor: string; node: U }[] } {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: view(e.node) }));
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(page), edges: { value: edges, enumerable: true, writable: true, configurable: true } }) as Omit<P, 'edges'> & {
    edges: { cursor: string; node: U }[];
  };
}
