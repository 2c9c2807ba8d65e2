// `npm start`: compiles the hub first when dist/ is missing or older than the sources
// (build-if-stale.mjs), then runs the bundle in this same process — one Node start instead of a
// `prestart` process and then the hub (about 60 ms less to ready). Plain JavaScript: it runs
// before anything is compiled.
import module from 'node:module';
import { buildIfStale } from './build-if-stale.mjs';

// Node 22.1 and later keep V8's compiled code of the modules loaded below between starts (in the
// system's temporary folder, or NODE_COMPILE_CACHE); Node 20 has no such cache and skips this.
module.enableCompileCache?.();

const status = await buildIfStale();
if (status !== 0) process.exit(status);
await import('../dist/main.bundle.js');
