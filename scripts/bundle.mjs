// The last step of `npm run build`: bundles the compiled hub (dist/main.js and everything it
// imports, the emulators package and the npm dependencies included) into dist/main.bundle.js,
// which `npm start` runs. Loading one file instead of some 2,000 modules (resolution, reads,
// CommonJS export scanning) takes start-up CPU down by about 40 %. `node dist/main.js` runs the same
// code unbundled. Plain JavaScript, like the other build scripts.
//
// Code reached only through `import()` goes into chunks of its own (dist/chunks/), loaded when
// first needed: Node compiles every byte of a module it loads, so what a start does not run (Apollo's
// usage reporting, class-validator, certificate generation on a restart, the lazily loaded parts of
// the hub) is not in the file it loads.
//
// `node scripts/bundle.mjs --entry <file> --outfile <file>` bundles another entry into one file, not
// split (`npm run test:chaos` bundles the test hub of test/helpers/hub-process-main.ts from its
// sources, so the hubs it SIGKILLs start again quickly); it leaves dist/chunks/ alone.
import { rmSync } from 'node:fs';
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
 * - `@apollo/utils.createhash`: it uses Node's crypto only where `module.require` exists, which a
 *   bundled CommonJS module lacks; bundled, Apollo hashed every query text with sha.js, in JavaScript;
 * - CommonJS packages that dependencies load with `import()` and read named exports from
 *   (gaxios: `(await import('https-proxy-agent')).HttpsProxyAgent`; type-graphql: class-validator's
 *   `validateOrReject`): a chunk of the split bundle hands a CommonJS module over as `default` only,
 *   where Node's own loader gives its named exports too. (The emulators' `import('@peculiar/x509')`
 *   reads either, packages/emulators/src/core/tls.ts.)
 */
const EXTERNAL = ['libsql', 'mongodb', '@mikro-orm/mongodb', '@agendajs/mongo-backend', '@apollo/utils.createhash', 'https-proxy-agent', 'class-validator'];

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

const CHUNKS = 'chunks';
const split = args.entry === undefined && args.outfile === undefined;
if (split) rmSync(path.join(root, 'dist', CHUNKS), { recursive: true, force: true });

/**
 * MikroORM reads its own version with `require('../../package.json')`, then `require('../package.json')`,
 * relative to its source file (the first for its TypeScript sources): the first does not resolve
 * there, so esbuild would leave it to run time, where it resolves relative to the chunk that holds
 * it (dist/chunks/ → the hub's package.json) and MikroORM refuses its drivers' versions. Both name
 * its package.json.
 */
const mikroOrmVersion = {
  name: 'mikro-orm-version',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(\.\.\/)+package\.json$/ }, (args) =>
      /[\\/]@mikro-orm[\\/]core[\\/]utils[\\/]Utils\.js$/.test(args.importer) ? { path: path.join(root, 'node_modules/@mikro-orm/core/package.json') } : undefined,
    );
  },
};

await build({
  ...(split
    ? { entryPoints: [path.join(root, 'dist/main.js')], outdir: path.join(root, 'dist'), entryNames: '[name].bundle', chunkNames: `${CHUNKS}/[name]-[hash]`, splitting: true }
    : { entryPoints: [path.resolve(root, args.entry ?? 'dist/main.js')], outfile: path.resolve(root, args.outfile ?? 'dist/main.bundle.js') }),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  plugins: [mikroOrmVersion, externalizeUnresolvable],
  // CommonJS code inside an ES module bundle still calls `require` (externals, computed paths); every chunk gets it.
  banner: { js: "import { createRequire as __hubCreateRequire } from 'node:module'; const require = __hubCreateRequire(import.meta.url);" },
  // tsc's source maps are followed, so stack traces can be mapped back to src/ (`node --enable-source-maps`).
  sourcemap: 'linked',
  legalComments: 'none',
  // Node parses every byte of what it loads: without whitespace and with shorter syntax the files a
  // start loads are a third smaller and compile about a quarter faster. Names are kept (MikroORM
  // and type-graphql read class names; stack traces stay readable).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
