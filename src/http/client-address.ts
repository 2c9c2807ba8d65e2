import type { IncomingMessage } from 'node:http';
import type { TrustProxy } from '../config.js';
import { AddressSet, plainAddress } from '../tenancy/ip-allow-list.js';

/** Whether the hop at `hop` (0 = the peer of the socket) is a proxy whose `X-Forwarded-For` is believed. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * `TRUST_PROXY` as the function Fastify's `trustProxy` takes, so HTTP requests (`request.ip`) and
 * WebSocket upgrades (`clientAddress`) name the same client.
 */
export function proxyTrust(setting: TrustProxy): ProxyTrust {
  if (setting === false) return () => false;
  if (setting === true) return () => true;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  const proxies = new AddressSet(setting);
  return (address) => proxies.has(address);
}

/**
 * The client's address: the socket's peer or — while each hop is a trusted proxy — the address
 * that hop forwarded for (right to left through `X-Forwarded-For`), the way Fastify's `request.ip`
 * reads it.
 */
export function clientAddress(request: IncomingMessage, trust: ProxyTrust): string {
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .reverse();
  const chain = [request.socket.remoteAddress ?? '', ...forwarded];
  let i = 0;
  while (i < chain.length - 1 && trust(chain[i]!, i)) i++;
  return plainAddress(chain[i]!);
}
