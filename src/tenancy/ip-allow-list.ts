import { BlockList, isIP } from 'node:net';
import { isAddressOrCidr } from '../config.js';

/** At most this many entries per tenant. */
export const MAX_IP_ALLOW_LIST_ENTRIES = 100;

/** `::ffff:203.0.113.7` → `203.0.113.7`, so IPv4 entries match clients on a dual-stack socket. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/**
 * A set of IPv4/IPv6 addresses and CIDR ranges (a tenant's `ipAllowList`, the proxies of
 * `TRUST_PROXY`). Entries are validated before they get here (`ipAllowListProblems`, config).
 */
export class AddressSet {
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const plain = plainAddress(address);
      const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(plain, family);
      else this.list.addSubnet(plain, Number(prefix), family);
    }
  }

  has(address: string): boolean {
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** What is wrong with a tenant's `ipAllowList` (field paths relative to the settings). */
export function ipAllowListProblems(entries: unknown): { field: string; message: string }[] {
  if (!Array.isArray(entries)) return [{ field: 'ipAllowList', message: 'must be a list of addresses or CIDR ranges' }];
  if (entries.length > MAX_IP_ALLOW_LIST_ENTRIES) return [{ field: 'ipAllowList', message: `must have at most ${MAX_IP_ALLOW_LIST_ENTRIES} entries` }];
  const bad = entries.findIndex((e) => typeof e !== 'string' || !isAddressOrCidr(e));
  return bad === -1 ? [] : [{ field: `ipAllowList.${bad}`, message: 'must be an IPv4 or IPv6 address, optionally with a CIDR prefix (e.g. 203.0.113.0/24)' }];
}
