import { IANAZone } from 'luxon';

const validity = new Map<string, boolean>();

/**
 * luxon's `IANAZone.isValidZone`, remembered per name: luxon builds an `Intl.DateTimeFormat` on
 * every call, which made zone checks most of the cost of an event write.
 */
export function isValidZone(name: string): boolean {
  let valid = validity.get(name);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(name);
    // Bounded: names come from requests.
    if (validity.size < 1000) validity.set(name, valid);
  }
  return valid;
}
