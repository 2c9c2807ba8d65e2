import { createPrivateKey, createPublicKey, randomBytes, sign, webcrypto } from 'node:crypto';
import { sharedRsaPrivateKeyPem } from '../../core/rsa-key.js';
import { loadX509 } from '../../core/tls.js';

/**
 * The RSA key that signs the emulator's id_tokens, with the two documents
 * `OAuth2Client.verifyIdToken` fetches: `{kid: "<X.509 PEM>"}` at the v1 certs URL (what Node
 * uses) and a JWK set at the v3 certs URL (what browsers use).
 * https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken
 */
export interface SigningKeyState {
  kid: string;
  privateKeyPem: string;
  certPem: string;
}

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export async function createSigningKey(): Promise<SigningKeyState> {
  const x509 = await loadX509();
  const crypto = x509.cryptoProvider.get();
  const privateKeyPem = await sharedRsaPrivateKeyPem();
  const privateKey = await crypto.subtle.importKey('pkcs8', pemBody(privateKeyPem), ALG, true, ['sign']);
  const publicKey = await crypto.subtle.importKey('spki', pemBody(createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }) as string), ALG, true, ['verify']);
  const keys = { privateKey, publicKey };
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: 'CN=Google Emulator ID Token Signer',
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 10 * 365 * 86_400_000),
    keys,
    signingAlgorithm: ALG,
  });
  return { kid: randomBytes(20).toString('hex'), privateKeyPem, certPem: cert.toString('pem') + '\n' };
}

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');

export function signJwt(key: SigningKeyState, payload: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${body}`), createPrivateKey(key.privateKeyPem));
  return `${header}.${body}.${b64url(signature)}`;
}

export function pemCertificates(key: SigningKeyState): Record<string, string> {
  return { [key.kid]: key.certPem };
}

export function jwkSet(key: SigningKeyState): { keys: Record<string, unknown>[] } {
  const jwk = createPublicKey(createPrivateKey(key.privateKeyPem)).export({ format: 'jwk' });
  return { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: key.kid }] };
}

/** Google's `at_hash`: the left half of SHA-256 of the access token, base64url. */
export async function accessTokenHash(accessToken: string): Promise<string> {
  const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', Buffer.from(accessToken)));
  return digest.subarray(0, 16).toString('base64url');
}
