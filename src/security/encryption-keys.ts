import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type DatabaseConfig } from '../config.js';
import type { Logger } from '../logger.js';

/** One AES-256 key of the token vault and the id written into every envelope it seals. */
export interface EncryptionKey {
  kid: string;
  key: Buffer;
}

export const ENCRYPTION_KEYS_VARIABLE = 'HUB_ENCRYPTION_KEYS';
/** Where embedded mode keeps its generated key (`<DATA_DIR>/encryption-keys`, mode 0600). */
export const KEY_FILE_NAME = 'encryption-keys';

const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const invalid = (message: string, variable = ENCRYPTION_KEYS_VARIABLE) => new ConfigError([{ variable, message }]);

/**
 * Parses `kid:base64key[,kid:base64key…]`. The first key encrypts; all of them decrypt, so a new key
 * is rotated in by putting it first and keeping the old ones until every row was re-sealed. Error
 * messages name the variable and the position, never a key.
 */
export function parseEncryptionKeys(raw: string, variable = ENCRYPTION_KEYS_VARIABLE): EncryptionKey[] {
  const entries = raw
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
  if (entries.length === 0) throw invalid('expected kid:base64key[,kid:base64key...]', variable);
  const keys: EncryptionKey[] = [];
  entries.forEach((entry, index) => {
    const at = `key #${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw invalid(`${at}: expected kid:base64key`, variable);
    const kid = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1).trim();
    if (!KID_PATTERN.test(kid)) throw invalid(`${at}: the key id must be 1-32 characters of A-Z, a-z, 0-9, _ or -`, variable);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw invalid(`${at} (${kid}): the key is not base64`, variable);
    const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
    if (key.length !== 32) throw invalid(`${at} (${kid}): the key must be 32 bytes (base64 of 32 random bytes), got ${key.length}`, variable);
    if (keys.some((k) => k.kid === kid)) throw invalid(`${at}: key id "${kid}" appears twice`, variable);
    keys.push({ kid, key });
  });
  return keys;
}

/** A fresh key in the variable's format, e.g. for `HUB_ENCRYPTION_KEYS` or the key file. */
export function generateEncryptionKeyEntry(now = new Date()): string {
  const kid = `k${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
  return `${kid}:${randomBytes(32).toString('base64')}`;
}

/**
 * The vault's keys for this deployment:
 * - `HUB_ENCRYPTION_KEYS` when set (an invalid value is a `ConfigError` naming it);
 * - embedded SQLite on a file: a key generated once into `<DATA_DIR>/encryption-keys` (0600) and
 *   read from there on later starts — losing that file makes the stored tokens unreadable, so it
 *   belongs in the same backup as the database;
 * - SQLite in memory: an ephemeral key (the data it protects dies with the process);
 * - MongoDB without the variable: refused, because instances sharing a database must share keys.
 * Keys are never logged; only the key ids and the file path are.
 */
export function loadEncryptionKeys(deps: {
  encryptionKeys: string | undefined;
  database: DatabaseConfig;
  dataDir: string;
  logger?: Logger;
}): EncryptionKey[] {
  if (deps.encryptionKeys !== undefined) return parseEncryptionKeys(deps.encryptionKeys);
  switch (deps.database.kind) {
    case 'mongodb':
      throw invalid(
        'is required on MongoDB: every hub instance must encrypt and decrypt tokens with the same keys. ' +
          'Generate one with: node -e "console.log(\'k1:\' + require(\'crypto\').randomBytes(32).toString(\'base64\'))"',
      );
    case 'sqlite': {
      const file = embeddedKeyFile(deps);
      return file === null ? parseEncryptionKeys(generateEncryptionKeyEntry()) : loadOrCreateKeyFile(file, deps.logger);
    }
  }
}

/** The key file embedded mode reads (and generates when missing), or null when keys come from elsewhere. */
export function embeddedKeyFile(deps: { encryptionKeys: string | undefined; database: DatabaseConfig; dataDir: string }): string | null {
  if (deps.encryptionKeys !== undefined || deps.database.kind !== 'sqlite' || deps.database.file === ':memory:') return null;
  return path.join(deps.dataDir, KEY_FILE_NAME);
}

function loadOrCreateKeyFile(file: string, logger: Logger | undefined): EncryptionKey[] {
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // `wx`: never overwrite — a second process starting on the same folder reads the first one's key.
    writeFileSync(file, `${generateEncryptionKeyEntry()}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    logger?.info({ keyFile: file }, 'generated the token encryption key (keep this file with the database backups)');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) logger?.warn({ keyFile: file, mode: mode.toString(8) }, 'the token encryption key file is readable by other users; chmod 600 it');
  }
  return parseEncryptionKeys(readFileSync(file, 'utf8'), `${ENCRYPTION_KEYS_VARIABLE} (key file ${file})`);
}
