// The local certificate authority in <data dir>/tls: a root whose private key is dropped right after it
// signs one name-constrained intermediate, and that intermediate, whose key signs the bridge's leaves.
import crypto, { webcrypto } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import { writeTextAtomic } from '../store/atomic-json.js';
import { LOCAL_DNS_SUFFIXES, normalizeDnsName, PERMITTED_RANGES } from './lan-scope.js';
import { x509 } from './x509.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 24 * 3600 * 1000;
const CA_VALIDITY_DAYS = 3650;

export const CA_FILES = { root: 'ca.crt', intermediate: 'intermediate.crt', key: 'intermediate.key' } as const;

export interface LocalCa {
  dir: string;
  root: x509.X509Certificate;
  rootPem: string;
  /** SHA-256 of the root certificate, colon-separated upper-case hex (as phones show it). */
  fingerprint: string;
  intermediate: x509.X509Certificate;
  intermediatePem: string;
  signingKey: CryptoKey;
  /** The dNSName bases the intermediate permits (its IP ranges are PERMITTED_RANGES). */
  permittedDnsNames: readonly string[];
}

/** The local CA cannot be used as it is; the message says how to reset it. */
export class LocalCaError extends Error {}

export function fingerprintOf(der: ArrayBuffer | Buffer): string {
  return crypto.createHash('sha256').update(Buffer.from(der as ArrayBuffer)).digest('hex').toUpperCase().match(/../g)!.join(':');
}

function serialNumber(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function nameConstraints(dnsNames: readonly string[]): x509.Extension {
  const subtrees = [
    ...dnsNames.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ...PERMITTED_RANGES.map((iPAddress) => new GeneralSubtree({ base: new GeneralName({ iPAddress }) })),
  ];
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  // Critical, so a verifier that cannot read it must refuse the chain rather than ignore it.
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

function permittedDnsNamesOf(intermediate: x509.X509Certificate): string[] {
  const extension = intermediate.getExtension(id_ce_nameConstraints);
  if (!extension) throw new Error('the intermediate has no name constraints');
  const parsed = AsnConvert.parse(extension.value, NameConstraints);
  return [...(parsed.permittedSubtrees ?? [])].flatMap((subtree) => (subtree.base.dNSName ? [subtree.base.dNSName] : []));
}

/** The names the intermediate permits: the local suffixes plus the configured names (VIGILINK_TLS_NAMES). */
export function constraintNames(extraNames: readonly string[]): string[] {
  const extra = extraNames.map(normalizeDnsName).filter((n): n is string => n !== null);
  return [...new Set([...LOCAL_DNS_SUFFIXES, ...extra])];
}

async function createCa(dir: string, extraNames: readonly string[], now: Date): Promise<void> {
  const notAfter = new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS);
  // Not extractable: the root key exists only in this function and is gone when it returns.
  const rootKeys = (await webcrypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify'])) as CryptoKeyPair;
  const stamp = now.toISOString().slice(0, 10);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=Vigilink local root ${stamp}, O=Vigilink`,
    notBefore: now,
    notAfter,
    signingAlgorithm: ALGORITHM,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const interKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=Vigilink LAN issuer ${stamp}, O=Vigilink`,
    issuer: root.subject,
    notBefore: now,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      nameConstraints(constraintNames(extraNames)),
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', interKeys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  // The key first: a crash before the certificates leaves a partial CA, which load() reports as damaged.
  await writeTextAtomic(path.join(dir, CA_FILES.key), keyPem, 0o600);
  await writeTextAtomic(path.join(dir, CA_FILES.intermediate), intermediate.toString('pem') + '\n', 0o644);
  await writeTextAtomic(path.join(dir, CA_FILES.root), root.toString('pem') + '\n', 0o644);
}

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function parseCa(dir: string, texts: { root: string; intermediate: string; key: string }): Promise<LocalCa> {
  const root = new x509.X509Certificate(texts.root);
  const intermediate = new x509.X509Certificate(texts.intermediate);
  if (!(await root.verify({ signatureOnly: true }))) throw new Error(`${CA_FILES.root} is not self-signed`);
  if (!(await intermediate.verify({ publicKey: root.publicKey, signatureOnly: true }))) {
    throw new Error(`${CA_FILES.intermediate} is not signed by ${CA_FILES.root}`);
  }
  const privateKey = crypto.createPrivateKey(texts.key);
  const publicDer = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!publicDer.equals(Buffer.from(intermediate.publicKey.rawData))) {
    throw new Error(`${CA_FILES.key} does not belong to ${CA_FILES.intermediate}`);
  }
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ALGORITHM, false, ['sign']);
  return {
    dir,
    root,
    rootPem: root.toString('pem') + '\n',
    fingerprint: fingerprintOf(root.rawData),
    intermediate,
    intermediatePem: intermediate.toString('pem') + '\n',
    signingKey,
    permittedDnsNames: permittedDnsNamesOf(intermediate),
  };
}

/**
 * Load the CA from `dir`, or make it when none of its files exist. A partial or unreadable CA is an
 * error and never replaced: every paired phone trusts the old root.
 */
export async function loadOrCreateLocalCa(dir: string, extraNames: readonly string[], now = new Date()): Promise<LocalCa> {
  const files = Object.values(CA_FILES).map((name) => path.join(dir, name));
  const [root = null, intermediate = null, key = null] = await Promise.all(files.map(readIfPresent));
  if (root === null && intermediate === null && key === null) {
    await createCa(dir, extraNames, now);
    return loadOrCreateLocalCa(dir, extraNames, now);
  }
  try {
    if (root === null || intermediate === null || key === null) throw new Error(`some of ${Object.values(CA_FILES).join(', ')} are missing`);
    return await parseCa(dir, { root, intermediate, key });
  } catch (error) {
    throw new LocalCaError(
      `The local certificate authority in ${dir} is damaged (${(error as Error).message}). Vigilink does not replace it ` +
        `by itself, because every paired phone trusts it. To start over, move that folder away (or restore it from a backup) ` +
        `and start again; then trust the new CA on each phone at /trust.`,
    );
  }
}

export interface LeafRequest {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  validityDays: number;
  now?: Date;
}

export interface IssuedLeaf {
  /** The leaf followed by the intermediate: what the server sends. */
  chainPem: string;
  keyPem: string;
  notAfter: Date;
}

/** Sign a server certificate (ECDSA P-256, SAN only, no CN) with the intermediate's key. */
export async function issueLeaf(ca: LocalCa, request: LeafRequest): Promise<IssuedLeaf> {
  const now = request.now ?? new Date();
  // Back-dated an hour: a phone whose clock is a little behind must not see "not yet valid".
  const notBefore = new Date(now.getTime() - 3600 * 1000);
  const notAfter = new Date(now.getTime() + request.validityDays * DAY_MS);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [
    ...request.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...request.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'O=Vigilink workstation',
    issuer: ca.intermediate.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.intermediate),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    chainPem: `${leaf.toString('pem')}\n${ca.intermediatePem}`,
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    notAfter,
  };
}
