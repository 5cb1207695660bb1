// The LAN listener's certificate: a leaf from the local CA (reissued when the LAN addresses change or it
// nears its end) or the user's own files (reloaded when they change). Emits 'change' with the new material.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { Logger } from '../core/logger.js';
import { issueLeaf, loadOrCreateLocalCa, type LocalCa } from './local-ca.js';
import { dnsNameWithin, isPermittedAddress, normalizeDnsName } from './lan-scope.js';
import { loadUserCertificate, type TlsMaterial, type UserCertificateFiles } from './user-certificate.js';

export type { TlsMaterial } from './user-certificate.js';

export type TlsMode = 'local-ca' | 'user-certificate';

export interface TlsServiceOptions {
  dataDir: string;
  /** VIGILINK_TLS_NAMES: extra DNS names the workstation answers to. */
  names: readonly string[];
  /** VIGILINK_TLS_CERT / VIGILINK_TLS_KEY; null: the local CA. */
  userCertificate: UserCertificateFiles | null;
  logger: Logger;
  /** This machine's LAN addresses (a seam for tests; default: every non-internal address). */
  addresses?: () => readonly string[];
  hostname?: string;
  /** How often addresses, the leaf's end and the user's files are checked. */
  checkIntervalMs?: number;
}

export interface CaCertificate {
  pem: string;
  der: Buffer;
  fingerprint: string;
}

/**
 * AES-128-GCM first, as ssh2 and OpenSSH prefer it: on a phone-to-workstation link it is as safe as
 * AES-256 and faster, which keeps downloads over HTTPS on a par with sftp (bench/tls.bench.ts).
 */
export const SERVER_TLS_OPTIONS = {
  ciphers: 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384',
  honorCipherOrder: true,
  minVersion: 'TLSv1.2',
} as const satisfies tls.SecureContextOptions;

/** Leaves live 90 days (Apple and Chrome accept up to 398) and are renewed with 30 days left. */
const LEAF_VALIDITY_DAYS = 90;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

function systemAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .flatMap((info) => (info && !info.internal ? [info.address] : []));
}

export class TlsService extends EventEmitter<{ change: [TlsMaterial] }> {
  private current: TlsMaterial;
  private context: tls.SecureContext;
  private leafNames = '';
  private timer: NodeJS.Timeout | null = null;
  private lastError = '';
  private checking: Promise<boolean> | null = null;

  private constructor(
    private readonly options: TlsServiceOptions,
    private readonly ca: LocalCa | null,
    initial: TlsMaterial,
  ) {
    super();
    // Every listener follows changes: the main port's and one per port forward (FORWARDS_MAX_PER_USER each).
    this.setMaxListeners(0);
    this.current = initial;
    this.context = tls.createSecureContext({ ...SERVER_TLS_OPTIONS, cert: initial.cert, key: initial.key });
  }

  /** Load (or make) the CA and the first leaf, or load the user's files; throws when either cannot be used. */
  static async start(options: TlsServiceOptions): Promise<TlsService> {
    if (options.userCertificate) {
      const service = new TlsService(options, null, await loadUserCertificate(options.userCertificate));
      service.schedule();
      return service;
    }
    const ca = await loadOrCreateLocalCa(path.join(options.dataDir, 'tls'), options.names);
    const placeholder: TlsMaterial = { cert: '', key: '', notAfter: new Date(0) };
    const service = new TlsService(options, ca, placeholder);
    await service.reissueIfNeeded();
    service.schedule();
    return service;
  }

  get mode(): TlsMode {
    return this.ca ? 'local-ca' : 'user-certificate';
  }

  /** The certificate chain and key the listener serves now. */
  material(): TlsMaterial {
    return this.current;
  }

  secureContext(): tls.SecureContext {
    return this.context;
  }

  /** The root a phone installs; null when the user's own certificate is served. */
  caCertificate(): CaCertificate | null {
    if (!this.ca) return null;
    return { pem: this.ca.rootPem, der: Buffer.from(this.ca.root.rawData), fingerprint: this.ca.fingerprint };
  }

  /** Check now (addresses or files); resolves true when the material changed. SIGHUP calls this too. */
  refresh(): Promise<boolean> {
    this.checking ??= (this.ca ? this.reissueIfNeeded() : this.reloadUserFiles()).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setInterval(() => void this.refresh(), this.options.checkIntervalMs ?? 5_000);
    this.timer.unref();
  }

  private publish(material: TlsMaterial): void {
    this.context = tls.createSecureContext({ ...SERVER_TLS_OPTIONS, cert: material.cert, key: material.key });
    this.current = material;
    this.emit('change', material);
  }

  /** The names a leaf can carry now: loopback, this host's .local name, VIGILINK_TLS_NAMES and private LAN addresses. */
  private wantedNames(ca: LocalCa): { dnsNames: string[]; ipAddresses: string[] } {
    const host = normalizeDnsName(`${this.options.hostname ?? os.hostname()}.local`);
    const dns = ['localhost', ...(host ? [host] : []), ...this.options.names.map(normalizeDnsName).filter((n): n is string => n !== null)];
    const dnsNames = [...new Set(dns)].filter((name) => dnsNameWithin(name, ca.permittedDnsNames));
    const addresses = (this.options.addresses ?? systemAddresses)();
    const ipAddresses = [...new Set(['127.0.0.1', '::1', ...addresses.map((a) => a.replace(/%.*$/, ''))])].filter(isPermittedAddress);
    return { dnsNames, ipAddresses: ipAddresses.sort() };
  }

  private async reissueIfNeeded(): Promise<boolean> {
    const ca = this.ca!;
    const names = this.wantedNames(ca);
    const key = JSON.stringify(names);
    const ending = this.current.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS;
    if (key === this.leafNames && !ending) return false;
    const skipped = this.options.names.filter((n) => !names.dnsNames.includes(normalizeDnsName(n) ?? ''));
    if (skipped.length && key !== this.leafNames) {
      this.options.logger.warn(
        { names: skipped },
        'VIGILINK_TLS_NAMES lists names the local CA does not permit (it was made before they were listed); reset the CA to add them',
      );
    }
    const leaf = await issueLeaf(ca, { ...names, validityDays: LEAF_VALIDITY_DAYS });
    this.leafNames = key;
    this.publish({ cert: leaf.chainPem, key: leaf.keyPem, notAfter: leaf.notAfter });
    this.options.logger.info({ dns: names.dnsNames, ip: names.ipAddresses, not_after: leaf.notAfter.toISOString() }, 'TLS certificate issued');
    return true;
  }

  private async reloadUserFiles(): Promise<boolean> {
    try {
      const material = await loadUserCertificate(this.options.userCertificate!);
      this.lastError = '';
      if (material.cert === this.current.cert && material.key === this.current.key) return false;
      this.publish(material);
      this.options.logger.info({ cert_file: this.options.userCertificate!.certFile }, 'TLS certificate reloaded');
      return true;
    } catch (error) {
      // Keep serving the last good certificate (a half-written renewal must not take the listener down).
      const message = (error as Error).message;
      if (message !== this.lastError) this.options.logger.error({ reason: message }, 'TLS certificate not reloaded; the previous one stays in use');
      this.lastError = message;
      return false;
    }
  }
}
