import { IANAZone } from 'luxon';
import type { LocalDateTime } from './rrule.js';

const zones = new Map<string, IANAZone>();

export { isValidZone } from '../../core/time-zones.js';

function zone(name: string): IANAZone {
  let z = zones.get(name);
  if (!z) {
    z = IANAZone.create(name);
    if (!z.isValid) throw new RangeError(`unknown time zone ${name}`);
    zones.set(name, z);
  }
  return z;
}

/**
 * The instant of a wall-clock time in a zone, following RFC 5545 §3.3.5: a time that occurs twice
 * (clocks going back) means the first of the two; a time that does not exist (clocks going
 * forward) is read with the UTC offset in force before the gap, so 02:30 on a spring-forward
 * night becomes 03:30 of the new offset.
 */
export function localToInstant(local: LocalDateTime, zoneName: string): number {
  const z = zone(zoneName);
  const asUtc = (local.day * 86_400 + local.sec) * 1000;
  const before = z.offset(asUtc - 86_400_000);
  const after = z.offset(asUtc + 86_400_000);
  const candidates = [before, after]
    .map((off) => asUtc - off * 60_000)
    .filter((ts) => z.offset(ts) * 60_000 === asUtc - ts)
    .sort((a, b) => a - b);
  return candidates[0] ?? asUtc - before * 60_000;
}

export function instantToLocal(ms: number, zoneName: string): LocalDateTime {
  const offsetMin = zone(zoneName).offset(ms);
  const localSec = Math.floor(ms / 1000) + offsetMin * 60;
  const day = Math.floor(localSec / 86_400);
  return { day, sec: localSec - day * 86_400 };
}

export function offsetMinutes(ms: number, zoneName: string): number {
  return zone(zoneName).offset(ms);
}
