import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A local certificate authority and a server certificate for the emulators (MSAL and the Graph
 * client only talk https). The CA is trusted by the hub for its provider calls only, through an
 * agent passed to the SDKs; TLS checks are never disabled globally.
 */
export interface EmulatorTls {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`.replace('\n\n-----END', '\n-----END');
}

/** `@peculiar/x509` (and the reflect-metadata it needs) with the Node WebCrypto provider, loaded only to make certificates. */
export async function loadX509(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  const loaded = await import('@peculiar/x509');
  // Node hands a CommonJS module's exports over as named exports too; the hub's bundle, which puts
  // what is imported with `import()` into a chunk of its own (scripts/bundle.mjs), as `default` only.
  const x509 = 'cryptoProvider' in loaded ? loaded : (loaded as unknown as { default: typeof loaded }).default;
  x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);
  return x509;
}

async function generate(): Promise<EmulatorTls> {
  const x509 = await loadX509();
  const crypto = x509.cryptoProvider.get();
  const now = new Date();
  const caKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16),
    name: 'CN=Calendar Sync Hub Emulator CA',
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 10 * 365 * 86_400_000),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: (Date.now() + 1).toString(16),
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 2 * 365 * 86_400_000),
    signingKey: caKeys.privateKey,
    publicKey: serverKeys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keyDer = await crypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
  return {
    caCertPem: ca.toString('pem') + '\n',
    certPem: server.toString('pem') + '\n',
    keyPem: toPem(keyDer, 'PRIVATE KEY'),
  };
}

let inMemory: Promise<EmulatorTls> | undefined;

/**
 * Loads the CA and server certificate from `dir` (creating them at first start, key files 0600),
 * or, without a dir, generates one set per process and reuses it (tests).
 */
export async function ensureEmulatorTls(dir?: string): Promise<EmulatorTls> {
  if (!dir) {
    inMemory ??= generate();
    return inMemory;
  }
  const files = { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server-key.pem') };
  if (existsSync(files.ca) && existsSync(files.cert) && existsSync(files.key)) {
    return {
      caCertPem: readFileSync(files.ca, 'utf8'),
      certPem: readFileSync(files.cert, 'utf8'),
      keyPem: readFileSync(files.key, 'utf8'),
    };
  }
  const tls = await generate();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(files.ca, tls.caCertPem, { mode: 0o644 });
  writeFileSync(files.cert, tls.certPem, { mode: 0o644 });
  writeFileSync(files.key, tls.keyPem, { mode: 0o600 });
  return tls;
}
