import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isConfigError, loadConfig } from '../../../src/config.js';
import { clientAddress, proxyTrust } from '../../../src/http/client-address.js';
import { AddressSet, ipAllowListProblems } from '../../../src/tenancy/ip-allow-list.js';

const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('TRUST_PROXY', () => {
  it('parses false, true, a hop count and a list of proxies, and names a bad entry', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy).toEqual(['10.0.0.0/8', '::1']);
    try {
      loadConfig({ TRUST_PROXY: '10.0.0.0/33' });
      expect.unreachable();
    } catch (err) {
      expect(isConfigError(err) && err.problems[0]?.variable).toBe('TRUST_PROXY');
    }
  });

  it('believes X-Forwarded-For only as far as the trusted hops go', () => {
    const chain = request('::ffff:10.0.0.5', '198.51.100.7, 203.0.113.9');
    expect(clientAddress(chain, proxyTrust(false))).toBe('10.0.0.5');
    expect(clientAddress(chain, proxyTrust(true))).toBe('198.51.100.7');
    expect(clientAddress(chain, proxyTrust(1))).toBe('203.0.113.9');
    expect(clientAddress(chain, proxyTrust(['10.0.0.0/8']))).toBe('203.0.113.9');
    expect(clientAddress(chain, proxyTrust(['10.0.0.0/8', '203.0.113.0/24']))).toBe('198.51.100.7');
    // A client that is not a trusted proxy cannot smuggle in an address.
    expect(clientAddress(request('192.0.2.1', '10.1.1.1'), proxyTrust(['10.0.0.0/8']))).toBe('192.0.2.1');
  });
});

describe('IP allow-list', () => {
  it('matches IPv4 and IPv6 addresses and ranges, also IPv4 clients on a dual-stack socket', () => {
    const list = new AddressSet(['203.0.113.7', '10.0.0.0/8', '2001:db8::/32']);
    expect(list.has('203.0.113.7')).toBe(true);
    expect(list.has('::ffff:10.200.1.1')).toBe(true);
    expect(list.has('2001:db8:1::5')).toBe(true);
    expect(list.has('203.0.113.8')).toBe(false);
    expect(list.has('2001:db9::1')).toBe(false);
    expect(list.has('not an address')).toBe(false);
  });

  it('names the first bad entry', () => {
    expect(ipAllowListProblems(['10.0.0.0/8', '::1'])).toEqual([]);
    expect(ipAllowListProblems(['10.0.0.0/8', 'example.com'])).toEqual([{ field: 'ipAllowList.1', message: expect.stringContaining('IPv4 or IPv6') }]);
    expect(ipAllowListProblems(['10.0.0.1/40'])[0]?.field).toBe('ipAllowList.0');
    expect(ipAllowListProblems(Array.from({ length: 101 }, () => '10.0.0.1'))[0]?.field).toBe('ipAllowList');
  });
});
