import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ValidationError } from '../domain/errors.js';

const MAX_URL_LENGTH = 2048;

/**
 * Addresses a webhook must not reach in production (SSRF): this host, private networks, link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, documentation, benchmark, multicast and
 * reserved ranges. IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address inside.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is one webhooks may not reach in production. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1] ?? mappedHex(lower);
  if (embedded) return BLOCKED.check(embedded, 'ipv4');
  return BLOCKED.check(lower, 'ipv6');
}

/** `::ffff:7f00:1` (IPv4-mapped, hex form) → `127.0.0.1`. */
function mappedHex(address: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (!m) return null;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

const isLoopbackHost = (host: string) => host === 'localhost' || host.endsWith('.localhost') || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';

export type Resolve = (hostname: string) => Promise<string[]>;

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))));

/**
 * Where webhooks may go. Every environment: an absolute https URL, without user name or password or
 * fragment, at most 2048 characters. Outside production, http is allowed to loopback hosts (a
 * receiver on the developer's machine). In production the host must resolve, and only to public
 * addresses — checked when the endpoint is saved and again at every delivery, on the addresses the
 * connection actually uses (`lookup`), so a DNS answer that changes later cannot point it inside.
 */
export class WebhookUrlPolicy {
  private readonly resolve: Resolve;

  constructor(private readonly deps: { env: 'development' | 'production' | 'test'; resolve?: Resolve }) {
    this.resolve = deps.resolve ?? systemResolve;
  }

  get production(): boolean {
    return this.deps.env === 'production';
  }

  /** The URL to store, or a `BAD_USER_INPUT` naming `field`. */
  async check(field: string, raw: string | null | undefined): Promise<string> {
    const value = (raw ?? '').trim();
    if (value === '') throw new ValidationError(field, 'must not be empty');
    if (value.length > MAX_URL_LENGTH) throw new ValidationError(field, `must be at most ${MAX_URL_LENGTH} characters`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ValidationError(field, 'must be an absolute https URL');
    }
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !this.production && isLoopbackHost(host))) {
      throw new ValidationError(field, this.production ? 'must be an https URL' : 'must be an https URL (http only to localhost while not in production)');
    }
    if (url.username || url.password) throw new ValidationError(field, 'must not contain a user name or password (the signature authenticates the hub)');
    if (url.hash) throw new ValidationError(field, 'must not contain a fragment (#…)');
    if (this.production) {
      let addresses: string[];
      try {
        addresses = isIP(host) ? [host] : await this.resolve(host);
      } catch {
        throw new ValidationError(field, `has a host name that does not resolve (${host})`);
      }
      if (addresses.length === 0 || addresses.some(isBlockedAddress)) {
        throw new ValidationError(field, 'points to a private, loopback or reserved network address; webhooks go to public addresses only');
      }
    }
    return url.toString();
  }

  /** The `lookup` of a delivery's connection: in production it refuses hosts that resolve to a blocked address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const blocked = this.production ? addresses.find((a) => isBlockedAddress(a.address)) : undefined;
      if (blocked) return callback(Object.assign(new Error(`${hostname} resolves to a blocked address (${blocked.address})`), { code: 'EBLOCKED' }), '', 0);
      if (options.all) return callback(null, addresses as unknown as string, 0);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
