import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(full, ext);
    return entry.name.endsWith(ext) ? [full] : [];
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

function anchorsOf(doc: string): Set<string> {
  const text = readFileSync(path.join(ROOT, doc), 'utf8');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

describe('documentation links', () => {
  // The emulators package cites the hub's docs by their path from the repository root too.
  it.each([
    ['src', 40],
    ['packages/emulators/src', 30],
  ])('every docs/<file>.md#<anchor> cited in %s names a heading that exists', (dir, moreThan) => {
    const cited = files(path.join(ROOT, dir), '.ts').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\b(docs\/[\w-]+\.md)#([\w-]+)/g)].map((m) => ({ file: path.relative(ROOT, file), doc: m[1]!, anchor: m[2]! })),
    );
    expect(cited.length).toBeGreaterThan(moreThan);
    const broken = cited.filter(({ doc, anchor }) => !existsSync(path.join(ROOT, doc)) || !anchorsOf(doc).has(anchor));
    expect(broken).toEqual([]);
  });

  it('every in-page link of the docs names a heading of the same page', () => {
    for (const doc of files(path.join(ROOT, 'docs'), '.md').map((f) => path.relative(ROOT, f))) {
      const text = readFileSync(path.join(ROOT, doc), 'utf8');
      const anchors = anchorsOf(doc);
      const broken = [...text.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1]!).filter((anchor) => !anchors.has(anchor));
      expect({ doc, broken }).toEqual({ doc, broken: [] });
    }
  });
});
