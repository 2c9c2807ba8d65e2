// `npm start`: compiles the hub first when dist/ is missing or older than the sources
// (build-if-stale.mjs), then runs the bundle in this same process — one Node start instead of a
// `prestart` process and then the hub (about 60 ms less to ready). Plain JavaScript: it runs
// before anything is compiled.
import { buildIfStale } from './build-if-stale.mjs';

const status = await buildIfStale();
if (status !== 0) process.exit(status);
await import('../dist/main.bundle.js');
