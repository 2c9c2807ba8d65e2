import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTokenVaultError, TokenVault, vaultContext } from '../../../src/security/token-vault.js';

const key = (kid: string) => ({ kid, key: randomBytes(32) });
const contextA = vaultContext.connectionTokens('con_A');
const contextB = vaultContext.connectionTokens('con_B');

function expectUnreadable(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isTokenVaultError(thrown)).toBe(true);
}

describe('TokenVault', () => {
  it('opens what it sealed, and seals the same value differently each time (random IV)', () => {
    const vault = new TokenVault([key('k1')]);
    const secret = JSON.stringify({ refresh_token: '1//refresh-token-value', access_token: 'ya29.access' });
    const one = vault.seal(secret, contextA);
    const two = vault.seal(secret, contextA);
    expect(one).not.toBe(two);
    expect(one).not.toContain('refresh-token-value');
    expect(one).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(TokenVault.isEnvelope(one)).toBe(true);
    expect(vault.open(one, contextA)).toBe(secret);
    expect(vault.open(two, contextA)).toBe(secret);
  });

  it('keeps opening envelopes of an older key after rotation, and seals with the new first key', () => {
    const old = key('old');
    const sealedBefore = new TokenVault([old]).seal('before rotation', contextA);
    const rotated = new TokenVault([key('new'), old]);
    expect(rotated.open(sealedBefore, contextA)).toBe('before rotation');
    expect(rotated.seal('after', contextA)).toMatch(/^v1\.new\./);
    expect(rotated.activeKid).toBe('new');
  });

  it('refuses an envelope whose key id is no longer configured', () => {
    const sealed = new TokenVault([key('gone')]).seal('x', contextA);
    expectUnreadable(() => new TokenVault([key('other')]).open(sealed, contextA));
  });

  it('refuses a tampered ciphertext, tag, IV or header', () => {
    const vault = new TokenVault([key('k1'), key('k2')]);
    const sealed = vault.seal('a token blob worth protecting', contextA);
    const parts = sealed.split('.');
    const flip = (s: string) => {
      const bytes = Buffer.from(s, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    for (const index of [2, 3, 4]) {
      const tampered = [...parts];
      tampered[index] = flip(tampered[index]!);
      expectUnreadable(() => vault.open(tampered.join('.'), contextA));
    }
    expectUnreadable(() => vault.open(['v1', 'k2', ...parts.slice(2)].join('.'), contextA));
    expectUnreadable(() => vault.open('not an envelope', contextA));
  });

  it("does not open a value sealed for another row (AAD binds the envelope to its row)", () => {
    const vault = new TokenVault([key('k1')]);
    const sealed = vault.seal('tokens of connection A', contextA);
    expectUnreadable(() => vault.open(sealed, contextB));
    expectUnreadable(() => vault.open(sealed, vaultContext.oauthVerifier('con_A')));
  });

  it('never echoes the sealed value or the key in its errors', () => {
    const k = key('k1');
    const vault = new TokenVault([k]);
    const sealed = vault.seal('super-secret-refresh-token', contextA);
    try {
      vault.open(sealed, contextB);
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).not.toContain('super-secret');
      expect(message).not.toContain(sealed.split('.')[4]!);
      expect(message).not.toContain(k.key.toString('base64'));
    }
  });
});
