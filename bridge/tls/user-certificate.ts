// The user's own certificate (VIGILINK_TLS_CERT / VIGILINK_TLS_KEY, e.g. from `tailscale cert` or an ACME
// client): read, checked (readable, in date, key matches) and turned into the listener's material.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';

export interface UserCertificateFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial {
  /** PEM: the server certificate followed by any intermediates. */
  cert: string;
  key: string;
  notAfter: Date;
}

/** A user certificate that cannot be served; the message names the file and the reason. */
export class UserCertificateError extends Error {}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new UserCertificateError(`VIGILINK_TLS_${what}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Read and check both files; throws UserCertificateError naming the file at fault. */
export async function loadUserCertificate(files: UserCertificateFiles, now = new Date()): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readPem(files.certFile, 'CERT'), readPem(files.keyFile, 'KEY')]);
  let leaf: crypto.X509Certificate;
  try {
    leaf = new crypto.X509Certificate(cert);
  } catch {
    throw new UserCertificateError(`VIGILINK_TLS_CERT: ${files.certFile} holds no PEM certificate`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch {
    // Never the key's text: it is a secret even when it is broken.
    throw new UserCertificateError(`VIGILINK_TLS_KEY: ${files.keyFile} holds no readable unencrypted PEM private key`);
  }
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new UserCertificateError(`VIGILINK_TLS_CERT: ${files.certFile} expired on ${notAfter.toISOString()}`);
  }
  if (new Date(leaf.validFrom).getTime() > now.getTime()) {
    throw new UserCertificateError(`VIGILINK_TLS_CERT: ${files.certFile} is not valid before ${new Date(leaf.validFrom).toISOString()}`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new UserCertificateError(`VIGILINK_TLS_KEY: ${files.keyFile} does not match the certificate in ${files.certFile}`);
  }
  return { cert, key, notAfter };
}
