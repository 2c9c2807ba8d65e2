import { Extensions } from 'type-graphql';

/**
 * Declared costs, in points of the operation cost estimate (one field of a read costs 1). They
 * count against GRAPHQL_MAX_COMPLEXITY per operation and against each API key's
 * GRAPHQL_RATE_LIMIT_PER_MINUTE, so one request cannot amplify into hundreds of writes or
 * provider calls. README, "Security", lists them.
 */
export const COST = {
  /** A mutation that writes a few rows; also what a mutation costs that declares nothing. */
  WRITE: 100,
  /** One request to Microsoft or Google (it also spends the account's quota at the provider). */
  PROVIDER_REQUEST: 500,
} as const;

/** The field extension a declared cost is kept in (read by the estimate in operation-limits.ts). */
export const COST_EXTENSION = 'cost';

/**
 * Declares what running a field costs beyond its selection: the one line a resolver adds above
 * `@Mutation` (or `@Query`), e.g. `@Cost(2 * COST.PROVIDER_REQUEST)`. A mutation without it costs
 * `COST.WRITE`; any other field 1.
 */
export function Cost(points: number): MethodDecorator & PropertyDecorator {
  if (!Number.isInteger(points) || points < 1) throw new TypeError(`a cost must be a positive integer, got ${points}`);
  return Extensions({ [COST_EXTENSION]: points });
}

/** The declared cost of a field, if any. */
export function declaredCost(extensions: Readonly<Record<string, unknown>> | null | undefined): number | undefined {
  const cost = extensions?.[COST_EXTENSION];
  return typeof cost === 'number' ? cost : undefined;
}
