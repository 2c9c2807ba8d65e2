import { generateKeyPair } from 'node:crypto';

let shared: Promise<string> | undefined;

/**
 * A 2048-bit RSA private key (PKCS#8 PEM) for signing the emulators' id tokens, generated once per
 * process off the main thread and shared by every emulator started without a saved key. RSA key
 * generation costs a few hundred milliseconds; tests and the sandbox start emulators often.
 * Persisted emulator state keeps its own key.
 */
export function sharedRsaPrivateKeyPem(): Promise<string> {
  shared ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, _publicKey, privateKey) =>
      err ? reject(err) : resolve(privateKey),
    );
  });
  return shared;
}
