import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError, type ConfigError, type DatabaseConfig } from '../../../src/config.js';
import { KEY_FILE_NAME, loadEncryptionKeys, parseEncryptionKeys } from '../../../src/security/encryption-keys.js';

const b64 = () => randomBytes(32).toString('base64');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-keys-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (isConfigError(err)) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const sqliteFile = (dir: string): DatabaseConfig => ({ kind: 'sqlite', file: path.join(dir, 'hub.db'), url: `sqlite:${path.join(dir, 'hub.db')}` });

describe('HUB_ENCRYPTION_KEYS', () => {
  it('parses kid:base64 entries in order; the first one is the active key', () => {
    const keys = parseEncryptionKeys(`new:${b64()}, old:${b64()}`);
    expect(keys.map((k) => k.kid)).toEqual(['new', 'old']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
  });

  it.each([
    ['', 'expected kid:base64key'],
    ['just-a-key', 'expected kid:base64key'],
    [`k1:${randomBytes(16).toString('base64')}`, 'must be 32 bytes'],
    ['k1:***', 'not base64'],
    [`bad kid:${b64()}`, 'key id'],
    [`k1:${b64()},k1:${b64()}`, 'appears twice'],
  ])('refuses %j with a ConfigError naming the variable and not the key', (raw, reason) => {
    const error = configErrorOf(() => parseEncryptionKeys(raw));
    expect(error.problems[0]!.variable).toBe('HUB_ENCRYPTION_KEYS');
    expect(error.problems[0]!.message).toContain(reason);
    const secretPart = raw.split(':')[1];
    if (secretPart && secretPart.length > 8) expect(error.message).not.toContain(secretPart);
  });

  it('is required on MongoDB', () => {
    const error = configErrorOf(() => loadEncryptionKeys({ encryptionKeys: undefined, database: { kind: 'mongodb', url: 'mongodb://x/db', dbName: 'db' }, dataDir: tempDir() }));
    expect(error.problems[0]!.variable).toBe('HUB_ENCRYPTION_KEYS');
    expect(error.problems[0]!.message).toMatch(/required on MongoDB/);
  });

  it('wins over the key file when set', () => {
    const dir = tempDir();
    const keys = loadEncryptionKeys({ encryptionKeys: `env:${b64()}`, database: sqliteFile(dir), dataDir: dir });
    expect(keys.map((k) => k.kid)).toEqual(['env']);
    expect(() => statSync(path.join(dir, KEY_FILE_NAME))).toThrow();
  });
});

describe('the embedded key file', () => {
  it('is generated once with mode 0600 and read again on later starts', () => {
    const dir = tempDir();
    const first = loadEncryptionKeys({ encryptionKeys: undefined, database: sqliteFile(dir), dataDir: dir });
    const file = path.join(dir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    const second = loadEncryptionKeys({ encryptionKeys: undefined, database: sqliteFile(dir), dataDir: dir });
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(second.map((k) => [k.kid, k.key.toString('hex')])).toEqual(first.map((k) => [k.kid, k.key.toString('hex')]));
  });

  it('is refused with a ConfigError when it was corrupted', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, KEY_FILE_NAME), 'garbage\n', { mode: 0o600 });
    const error = configErrorOf(() => loadEncryptionKeys({ encryptionKeys: undefined, database: sqliteFile(dir), dataDir: dir }));
    expect(error.problems[0]!.variable).toMatch(/^HUB_ENCRYPTION_KEYS \(key file /);
  });

  it('is not written for an in-memory database (nothing outlives the process)', () => {
    const dir = tempDir();
    const keys = loadEncryptionKeys({ encryptionKeys: undefined, database: { kind: 'sqlite', file: ':memory:', url: 'sqlite::memory:' }, dataDir: dir });
    expect(keys).toHaveLength(1);
    expect(() => statSync(path.join(dir, KEY_FILE_NAME))).toThrow();
  });
});
