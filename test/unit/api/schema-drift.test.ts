import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSchemaSdl } from '../../../src/api/print-schema.js';

describe('schema.graphql', () => {
  it('matches the schema the resolvers build (run `npm run schema:emit` and `npm run codegen` when it does not)', async () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, '../../../schema.graphql'), 'utf8');
    expect(await renderSchemaSdl()).toBe(committed);
  });
});
