// `npm start` (scripts/start.mjs) calls this first: it compiles the hub (`npm run build`) when
// dist/ is missing or older than the sources, so `npm start` always runs the code in the working
// tree as compiled JavaScript.
// `npm install` builds once (`prepare`); this only rebuilds after sources changed (an edit, a pull).
// Plain JavaScript: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the build reads: the sources of the hub and of the emulators package, the bundler script, and the compiler settings. */
const INPUTS = ['src', 'packages/emulators/src', 'scripts/bundle.mjs', 'tsconfig.json', 'tsconfig.build.json', 'packages/emulators/tsconfig.json', 'packages/emulators/tsconfig.build.json'];
/** What each step of the build writes: the emulators' entry, the hub's entry, and the bundle `npm start` runs. */
const OUTPUTS = ['packages/emulators/dist/index.js', 'dist/main.js', 'dist/main.bundle.js'];
const LOCK = path.join(root, 'dist', '.build-lock');

/** The newest modification time under `entry` (a file or a folder), 0 when it does not exist. */
function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file shows as a newer folder
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function isStale() {
  const built = Math.min(...OUTPUTS.map((file) => (existsSync(path.join(root, file)) ? statSync(path.join(root, file)).mtimeMs : 0)));
  if (built === 0) return 'dist/ has not been built yet';
  const changed = INPUTS.find((input) => newestMtime(path.join(root, input)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** One build at a time (two terminals running `npm start`): the second waits, then finds dist/ fresh. */
async function withLock(fn) {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock older than the longest build is left over from a killed build.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 10 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another build holds ${LOCK}; remove it if no build is running`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Compiles when stale (one build at a time); resolves to 0 when dist/ is current, else the build's exit code. */
export function buildIfStale() {
  return withLock(() => {
    const reason = isStale();
    if (!reason) return 0;
    process.stderr.write(`npm start: ${reason}; compiling with \`npm run build\` first (tsc, about a minute)…\n`);
    // Under npm, npm_execpath is npm's own CLI script: run that one with this Node (no PATH lookup).
    const npmCli = process.env.npm_execpath;
    const build = npmCli
      ? spawnSync(process.execPath, [npmCli, 'run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
      : spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (build.status !== 0) process.stderr.write('npm start: the build failed (see above); fix the error or use `npm run dev` (runs the sources with tsx).\n');
    return build.status ?? 1;
  });
}

// Run directly (`node scripts/build-if-stale.mjs`: the benchmarks and tests build this way).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(await buildIfStale());
