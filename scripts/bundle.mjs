// The last step of `npm run build`: bundles the compiled hub (dist/main.js and everything it
// imports, the emulators package and the npm dependencies included) into dist/main.bundle.js,
// which `npm start` runs. Loading one file instead of some 2,000 modules (resolution, reads,
// CommonJS export scanning) takes start-up CPU down by about 40 %. `node dist/main.js` runs the same
// code unbundled. Plain JavaScript, like the other build scripts.
//
// `node scripts/bundle.mjs --entry <file> --outfile <file>` bundles another entry the same way
// (`npm run test:chaos` bundles the test hub of test/helpers/hub-process-main.ts from its sources,
// so the hubs it SIGKILLs start again quickly).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { entry: { type: 'string' }, outfile: { type: 'string' } }, strict: true });

/**
 * Packages left to Node at run time instead of bundled:
 * - `libsql`: a native addon (loaded with `require` by the SQLite dialect);
 * - the MongoDB stack: loaded with `import()` only when DATABASE_URL is MongoDB (src/store/orm.ts),
 *   so an embedded hub never parses it;
 * - `graphql`: src/api/limits loads graphql-query-complexity with `require` at run time (for its
 *   CommonJS build), which requires graphql from node_modules; a second, bundled graphql would
 *   fail with "Cannot use GraphQLSchema from another module or realm".
 */
const EXTERNAL = ['libsql', 'mongodb', '@mikro-orm/mongodb', '@agendajs/mongo-backend', 'graphql'];

/**
 * Optional drivers that knex and MikroORM name in `require` calls for databases the hub does not
 * use (pg, mysql, oracledb…) are not installed: anything that does not resolve stays external
 * (an unreachable `require` at run time), instead of failing the bundle.
 */
const RESOLVING = Symbol('resolving');
const externalizeUnresolvable = {
  name: 'externalize-unresolvable',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('node:') || args.pluginData === RESOLVING) return undefined;
      const resolved = await esbuild.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: RESOLVING });
      return resolved.errors.length > 0 ? { path: args.path, external: true } : resolved;
    });
  },
};

await build({
  entryPoints: [path.resolve(root, args.entry ?? 'dist/main.js')],
  outfile: path.resolve(root, args.outfile ?? 'dist/main.bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  plugins: [externalizeUnresolvable],
  // CommonJS code inside an ES module bundle still calls `require` (externals, computed paths).
  banner: { js: "import { createRequire as __hubCreateRequire } from 'node:module'; const require = __hubCreateRequire(import.meta.url);" },
  // tsc's source maps are followed, so stack traces can be mapped back to src/ (`node --enable-source-maps`).
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
