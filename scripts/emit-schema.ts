// Writes schema.graphql from the resolvers, or with --check fails when the committed file differs.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSchemaSdl } from '../src/api/print-schema.js';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema.graphql');
const rendered = await renderSchemaSdl();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // a missing file is drift too
  }
  if (committed !== rendered) {
    const a = committed.split('\n');
    const b = rendered.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    const at = line === -1 ? a.length : line;
    console.error(
      `schema.graphql is out of date (first difference at line ${at + 1}).\n` +
        `  committed: ${JSON.stringify(a[at] ?? '<end of file>')}\n` +
        `  generated: ${JSON.stringify(b[at] ?? '<end of file>')}\n` +
        'Run `npm run schema:emit`, review the diff (git diff schema.graphql), then `npm run codegen`.',
    );
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
