import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { clientErrorOf, ERROR_MAPPINGS } from '../../../src/api/errors/error-mapping.js';
import { formatHubError, isUnexpectedError } from '../../../src/api/errors/format-error.js';
import { ConnectionNotActiveError } from '../../../src/connections/connections.errors.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/domain/errors.js';
import { newId } from '../../../src/domain/ids.js';
import { PROVIDER_ERROR_CODES, ProviderError } from '../../../src/providers/calendar-provider.js';
import { TokenVaultError } from '../../../src/security/token-vault.js';

const SRC = path.resolve(import.meta.dirname, '../../../src');

/**
 * Parts of src/ whose errors never run inside a GraphQL operation: the CLI's usage errors end the
 * command, and the emulators are a separate program (they answer the hub over HTTP).
 */
const OUTSIDE_THE_API = [path.join(SRC, 'cli.ts'), path.join(SRC, 'emulators')];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (OUTSIDE_THE_API.some((skip) => full === skip)) return [];
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every `class X extends <something>Error` declared in src/ (the named errors a client could meet). */
function namedErrorClasses(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bclass\s+(\w+)\s+extends\s+(\w*Error)\b/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

describe('ERROR_MAPPINGS', () => {
  it('has an entry for every named error class in src, and none for a class that no longer exists', () => {
    const declared = namedErrorClasses();
    const mapped = ERROR_MAPPINGS.map((entry) => entry.type.name).sort();
    expect(declared.length).toBeGreaterThan(10);
    expect(mapped).toEqual(declared);
  });

  it('lists subclasses before their base classes, so the most specific entry decides', () => {
    ERROR_MAPPINGS.forEach((entry, i) => {
      for (const earlier of ERROR_MAPPINGS.slice(0, i)) expect(entry.type.prototype instanceof earlier.type).toBe(false);
    });
  });
});

describe('clientErrorOf', () => {
  it('keeps the errors the hub raises on purpose as they are', () => {
    const notFound = new NotFoundError('Connection', 'con_x');
    expect(clientErrorOf(notFound)).toBe(notFound);
    const invalid = new ValidationError('email', 'must be a valid email address');
    expect(clientErrorOf(invalid)).toBe(invalid);
  });

  it('turns a link that is not active into CONFLICT with what to do, for every status', () => {
    const connectionId = newId('connection');
    const needsReauth = clientErrorOf(new ConnectionNotActiveError(connectionId, 'NEEDS_REAUTH'));
    expect(needsReauth).toBeInstanceOf(ConflictError);
    expect(needsReauth).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('NEEDS_REAUTH'), tip: expect.stringMatching(/Relink/) });
    expect(clientErrorOf(new ConnectionNotActiveError(connectionId, 'REVOKED'))).toMatchObject({ code: 'CONFLICT', tip: expect.stringMatching(/linkCalendar/) });
    expect(clientErrorOf(new ConnectionNotActiveError(connectionId, 'ERROR'))).toMatchObject({ code: 'CONFLICT', tip: expect.stringMatching(/lastError/) });
  });

  it('gives every provider failure code a client-facing error, except a leaked cursor rejection', () => {
    for (const code of PROVIDER_ERROR_CODES) {
      const client = clientErrorOf(new ProviderError(code, 'Google Calendar answered 503 while reading events.'));
      if (code === 'SYNC_CURSOR_INVALID') expect(client).toBeNull();
      else expect(client).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('answered 503'), tip: expect.any(String) });
    }
    expect(clientErrorOf(new ProviderError('RATE_LIMITED', 'throttled', { retryAfterMs: 4_200 }))).toMatchObject({ tip: 'Try again in 5 s.' });
  });

  it('leaves operational and unknown failures internal', () => {
    expect(clientErrorOf(new TokenVaultError('the stored value failed authentication'))).toBeNull();
    expect(clientErrorOf(new TypeError('x is undefined'))).toBeNull();
    expect(clientErrorOf('a string')).toBeNull();
  });
});

describe('formatHubError', () => {
  const resolverError = (cause: Error) => new GraphQLError(cause.message, { originalError: cause, path: ['refreshCalendars'] });

  it('shows a link that is not active as CONFLICT with a tip, not as an internal error', () => {
    const error = resolverError(new ConnectionNotActiveError(newId('connection'), 'NEEDS_REAUTH'));
    const formatted = formatHubError({ message: error.message, path: ['refreshCalendars'] }, error);
    expect(formatted).toMatchObject({ path: ['refreshCalendars'], extensions: { code: 'CONFLICT', tip: expect.stringMatching(/Relink/) } });
    expect(isUnexpectedError(error)).toBe(false);
  });

  it('hides an unexpected error behind INTERNAL_SERVER_ERROR', () => {
    const error = resolverError(new Error('SQLITE_BUSY: database is locked'));
    expect(formatHubError({ message: error.message }, error)).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(isUnexpectedError(error)).toBe(true);
  });
});
