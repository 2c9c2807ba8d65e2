// The bare baseline of the GraphQL benchmark, run as its own process by graphql-cpu.bench.ts:
// Fastify + Apollo Server 5 (the hub's stack, without the hub) answering the same query shape
// from the hub's own SQLite file. With BASELINE_SQL=1 it runs the three statements the hub needs
// for that query (the API key by hash, the count, the page), each prepared once; without it, it
// answers constant data (the cost of Fastify + Apollo alone). No logging, no limits, no ORM.
//   BASELINE_DB=<hub.db> [BASELINE_SQL=1] node --import tsx bench/baseline-server.ts
// Prints {"port":N} once listening.
import { createHash } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify from 'fastify';
import Database from 'libsql';

interface Ctx {
  role: string;
  tenantId: string | null;
}

const typeDefs = `#graphql
  type Viewer { role: String! }
  type HostUser { id: ID! hostUserId: String! email: String }
  type HostUserEdge { cursor: String! node: HostUser! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type HostUserConnection { totalCount: Int! edges: [HostUserEdge!]! pageInfo: PageInfo! }
  type Query { viewer: Viewer hostUsers(first: Int, after: String): HostUserConnection! }
`;

const withSql = process.env.BASELINE_SQL === '1';
const db = withSql ? new Database(process.env.BASELINE_DB ?? '', { readonly: true }) : null;
const keyByHash = db?.prepare('select role, tenant_id, revoked_at from api_keys where hash = ?');
const countUsers = db?.prepare('select count(*) as count from host_users where tenant_id = ?');
const pageUsers = db?.prepare('select id, host_user_id, email from host_users where tenant_id = ? order by id asc limit ?');

const cursor = (id: string) => Buffer.from(`id:${id}`).toString('base64url');

const resolvers = {
  Query: {
    viewer: (_: unknown, __: unknown, ctx: Ctx) => ({ role: ctx.role }),
    hostUsers: (_: unknown, args: { first?: number | null }, ctx: Ctx) => {
      const first = args.first ?? 20;
      if (!db) {
        const nodes = Array.from({ length: first }, (_x, i) => ({ id: `hu_${i}`, hostUserId: `bench-${i}`, email: `bench-${i}@example.com` }));
        return { totalCount: 25, edges: nodes.map((node) => ({ cursor: cursor(node.id), node })), pageInfo: { hasNextPage: true, endCursor: cursor(nodes.at(-1)!.id) } };
      }
      const { count } = countUsers!.get(ctx.tenantId) as { count: number };
      const rows = pageUsers!.all(ctx.tenantId, first + 1) as { id: string; host_user_id: string; email: string | null }[];
      const nodes = rows.slice(0, first).map((r) => ({ id: r.id, hostUserId: r.host_user_id, email: r.email }));
      return { totalCount: count, edges: nodes.map((node) => ({ cursor: cursor(node.id), node })), pageInfo: { hasNextPage: rows.length > first, endCursor: nodes.length ? cursor(nodes.at(-1)!.id) : null } };
    },
  },
};

const apollo = new ApolloServer<Ctx>({ typeDefs, resolvers });
await apollo.start();
const app = Fastify({ logger: false });
app.route({
  url: '/graphql',
  method: ['GET', 'POST', 'OPTIONS'],
  handler: fastifyApolloHandler(apollo, {
    context: async (request): Promise<Ctx> => {
      const key = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!db) return { role: 'TENANT', tenantId: 'tenant' };
      const row = key ? (keyByHash!.get(createHash('sha256').update(key).digest('hex')) as { role: string; tenant_id: string | null; revoked_at: unknown } | undefined) : undefined;
      if (!row || row.revoked_at !== null) throw new Error('invalid key');
      return { role: row.role, tenantId: row.tenant_id };
    },
  }),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
