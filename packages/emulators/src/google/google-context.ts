import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorClock } from '../core/clock.js';
import type { EmulatorLogger } from '../types.js';
import type { GoogleState } from './google-state.js';

/** What every part of the Google emulator shares: the state, the clock and the change hooks. */
export class GoogleContext {
  origin = '';
  private calendarListeners: ((calendarId: string) => void)[] = [];

  constructor(
    public state: GoogleState,
    readonly clock: EmulatorClock,
    private readonly onStateChange: (() => void) | undefined,
    readonly logger: EmulatorLogger | undefined,
  ) {}

  now(): number {
    return this.clock.now();
  }

  nextSeq(): number {
    this.state.seq += 1;
    return this.state.seq;
  }

  /** Call after every mutation of the state. */
  changed(): void {
    this.onStateChange?.();
  }

  /** Events of a calendar changed: push channels on it get an `exists` notification. */
  calendarChanged(calendarId: string): void {
    for (const l of this.calendarListeners) l(calendarId);
  }

  onCalendarChanged(listener: (calendarId: string) => void): void {
    this.calendarListeners.push(listener);
  }
}

/** Event ids the server picks: 26 base32hex characters, like Google's. */
export function newEventId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const bytes = randomBytes(26);
  let out = '';
  for (const b of bytes) out += alphabet[b & 31];
  return out;
}

/** Google's `sub` for an account: a 21-digit number, derived from the email so seeds are stable. */
export function subjectFor(email: string): string {
  const digits = BigInt('0x' + createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24)).toString().padStart(20, '0');
  return '1' + digits.slice(0, 20);
}

/** A quoted etag that changes with every write (the change counter makes it unique), e.g. `"1732262400000000042"`. */
export function newEtag(ctx: GoogleContext): string {
  return `"${ctx.now()}${String(ctx.state.seq).padStart(6, '0')}"`;
}

export function opaqueToken(prefix: string, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}
