import { randomBytes } from 'node:crypto';

/**
 * Hub-generated ids: `<prefix>_<26 chars>` where the 26 chars are a ULID (48-bit millisecond time +
 * 80 random bits, Crockford base32). They sort by creation time, which keeps cursor pagination
 * stable on both SQLite and MongoDB, and the prefix tells a reader what kind of id they hold.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const ID_PREFIXES = {
  tenant: 'ten',
  hostUser: 'usr',
  apiKey: 'key',
  connection: 'con',
  calendar: 'cal',
  appointment: 'apt',
  syncMapping: 'map',
  conflict: 'cfl',
  syncIssue: 'iss',
  syncRun: 'run',
  appointmentChange: 'chg',
  oauthState: 'oas',
  pushSubscription: 'psh',
  webhookEndpoint: 'whe',
  webhookDelivery: 'whd',
  icsFeed: 'icf',
  busyCalendar: 'bcl',
  busyEvent: 'bev',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

declare const brand: unique symbol;
/** A hub id of one kind; a plain string cannot be passed where a branded id is expected. */
export type HubId<K extends IdKind> = string & { readonly [brand]: K };

let lastTime = 0;
let lastRandom: number[] = [];

function ulid(now = Date.now()): string {
  let time = now;
  let random: number[];
  if (time <= lastTime) {
    // Same millisecond (or clock went back): increment the random part so ids stay monotonic.
    time = lastTime;
    random = [...lastRandom];
    for (let i = random.length - 1; i >= 0; i--) {
      if (random[i]! < 31) {
        random[i]! += 1;
        break;
      }
      random[i] = 0;
    }
  } else {
    const bytes = randomBytes(16);
    random = Array.from({ length: 16 }, (_, i) => bytes[i]! & 31);
  }
  lastTime = time;
  lastRandom = random;
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  return timePart + random.map((n) => CROCKFORD[n]).join('');
}

export function newId<K extends IdKind>(kind: K): HubId<K> {
  return `${ID_PREFIXES[kind]}_${ulid()}` as HubId<K>;
}

export function isIdOf<K extends IdKind>(kind: K, value: string): value is HubId<K> {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`).test(value);
}

/**
 * How a string from outside (a GraphQL argument, a CLI option) becomes an id: `value` as an id of
 * `kind`, or null when it cannot be one (malformed, or an id of another kind). Callers treat null
 * like an unknown id, so no store lookup runs on it.
 */
export function parseId<K extends IdKind>(kind: K, value: string): HubId<K> | null {
  return isIdOf(kind, value) ? value : null;
}
