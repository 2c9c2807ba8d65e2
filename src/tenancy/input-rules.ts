import { IANAZone } from 'luxon';
import isEmailModule from 'validator/lib/isEmail.js';
import { ValidationError } from '../domain/errors.js';

/**
 * Checks shared by every entry point (GraphQL and CLI): the services call them before writing,
 * so invalid input never reaches the store whichever way it came in.
 */

export function requiredText(field: string, value: string | null | undefined, maxLength: number): string {
  const v = (value ?? '').trim();
  if (v === '') throw new ValidationError(field, 'must not be empty');
  if (v.length > maxLength) throw new ValidationError(field, `must be at most ${maxLength} characters`);
  return v;
}

export function optionalText(field: string, value: string | null | undefined, maxLength: number): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (v.length > maxLength) throw new ValidationError(field, `must be at most ${maxLength} characters`);
  return v;
}

/**
 * validator's `isEmail` (the check class-validator's `isEmail` wraps), imported on its own: all of
 * class-validator is some 300 modules to load at start-up. The module is CommonJS; its function is
 * both `module.exports` and `.default`, and only `.default` is typed.
 */
export const isEmail = (value: string): boolean => isEmailModule.default(value);

/** Emails are stored lower-cased: providers and hosts compare them case-insensitively. */
export function optionalEmail(field: string, value: string | null | undefined): string | null {
  const v = optionalText(field, value, 254);
  if (v === null) return null;
  if (!isEmail(v)) throw new ValidationError(field, 'must be a valid email address');
  return v.toLowerCase();
}

/** An IANA zone name such as `Europe/Zurich` (offsets like `+01:00` are not zones). */
export function optionalTimeZone(field: string, value: string | null | undefined): string | null {
  const v = optionalText(field, value, 64);
  if (v === null) return null;
  if (!IANAZone.isValidZone(v) || /^[+-]/.test(v)) {
    throw new ValidationError(field, 'must be an IANA time zone such as "Europe/Zurich"');
  }
  return v;
}

export function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
