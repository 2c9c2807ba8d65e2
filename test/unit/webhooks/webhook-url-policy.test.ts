import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBlockedAddress, WebhookUrlPolicy } from '../../../src/webhooks/webhook-url-policy.js';
import { DEFAULT_RETRY_DELAYS_MS } from '../../../src/webhooks/webhook-deliveries.js';

const fieldOf = async (p: Promise<unknown>) => p.then(() => null, (e: { field?: string; reason?: string }) => ({ field: e.field, reason: e.reason }));

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::10.0.0.1', '2001:db8::1', 'not-an-ip',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:93.184.216.34'])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it('blocks every address of the private IPv4 ranges', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, (a, b, c) => {
        expect(isBlockedAddress(`10.${a}.${b}.${c}`)).toBe(true);
        expect(isBlockedAddress(`192.168.${b}.${c}`)).toBe(true);
        expect(isBlockedAddress(`172.${16 + (a % 16)}.${b}.${c}`)).toBe(true);
      }),
    );
  });
});

describe('WebhookUrlPolicy', () => {
  const resolveTo = (table: Record<string, string[]>) => async (host: string) => {
    const hit = table[host];
    if (!hit) throw new Error('ENOTFOUND');
    return hit;
  };

  it('in production: https only, to hosts that resolve to public addresses only', async () => {
    const policy = new WebhookUrlPolicy({
      env: 'production',
      resolve: resolveTo({ 'hooks.example.com': ['93.184.216.34'], 'intranet.example.com': ['10.0.0.7'], 'mixed.example.com': ['93.184.216.34', '192.168.0.2'], localhost: ['127.0.0.1'] }),
    });
    expect(await policy.check('url', 'https://hooks.example.com/in?x=1')).toBe('https://hooks.example.com/in?x=1');
    for (const url of ['https://intranet.example.com/in', 'https://mixed.example.com/in', 'https://127.0.0.1/in', 'https://[::1]/in', 'https://169.254.169.254/latest', 'https://localhost/in']) {
      expect(await fieldOf(policy.check('url', url))).toMatchObject({ field: 'url', reason: expect.stringContaining('private') });
    }
    expect(await fieldOf(policy.check('url', 'http://localhost:3000/in'))).toMatchObject({ field: 'url', reason: 'must be an https URL' });
    expect(await fieldOf(policy.check('url', 'https://nowhere.example.com/in'))).toMatchObject({ field: 'url', reason: expect.stringContaining('does not resolve') });
  });

  it('in development: http to loopback only; private https targets allowed', async () => {
    const policy = new WebhookUrlPolicy({ env: 'development', resolve: resolveTo({}) });
    for (const url of ['http://localhost:3000/in', 'http://127.0.0.1:3000/in', 'http://[::1]:3000/in', 'https://10.0.0.7/in', 'https://hooks.example.com/in']) {
      expect(await policy.check('url', url)).toBe(new URL(url).toString());
    }
    for (const url of ['http://10.0.0.7/in', 'http://hooks.example.com/in', 'ws://localhost/in']) {
      expect(await fieldOf(policy.check('url', url))).toMatchObject({ field: 'url', reason: expect.stringContaining('https') });
    }
  });

  it('refuses the delivery connection to a host that resolves inside, in production', async () => {
    const policy = new WebhookUrlPolicy({ env: 'production' });
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => policy.lookup('localhost', {}, (err) => resolve(err)));
    expect(error?.code).toBe('EBLOCKED');
  });
});

describe('retry schedule', () => {
  it('retries first within a minute, grows exponentially and gives up after about a day', () => {
    expect(DEFAULT_RETRY_DELAYS_MS[0]).toBeLessThanOrEqual(60_000);
    for (let i = 1; i < DEFAULT_RETRY_DELAYS_MS.length; i++) expect(DEFAULT_RETRY_DELAYS_MS[i]).toBe(3 * DEFAULT_RETRY_DELAYS_MS[i - 1]!);
    const total = DEFAULT_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20 * 3_600_000);
    expect(total).toBeLessThan(30 * 3_600_000);
  });
});
