// Trust on first use: the SHA-256 fingerprint of each host's key, kept in known-hosts.json in the data dir.
import crypto from 'node:crypto';
import path from 'node:path';
import { JsonFileWriter, readJson } from '../store/atomic-json.js';

/** OpenSSH's form: "SHA256:" + unpadded base64 of the key blob's SHA-256. */
export function sshFingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

export type HostKeyCheck =
  | { result: 'trusted'; fingerprint: string }
  | { result: 'new'; fingerprint: string }
  | { result: 'changed'; fingerprint: string; expected: string };

interface KnownHostsFile {
  version: 1;
  hosts: Record<string, { fingerprint: string; first_seen: string }>;
}

export class HostKeyStore {
  // A Map: host names are user input ('constructor' is a valid one).
  private hosts = new Map<string, { fingerprint: string; first_seen: string }>();
  private readonly writer: JsonFileWriter<KnownHostsFile>;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'known-hosts.json');
    this.writer = new JsonFileWriter(this.file);
  }

  async load(): Promise<void> {
    this.hosts = new Map(Object.entries((await readJson<KnownHostsFile>(this.file, { version: 1, hosts: {} })).hosts ?? {}));
  }

  static hostId(hostname: string, port: number): string {
    return `[${hostname.toLowerCase()}]:${port}`;
  }

  /** Check a presented key; a host seen for the first time is remembered at once. */
  check(hostname: string, port: number, keyBlob: Buffer): HostKeyCheck {
    const id = HostKeyStore.hostId(hostname, port);
    const fingerprint = sshFingerprint(keyBlob);
    const known = this.hosts.get(id);
    if (!known) {
      this.hosts.set(id, { fingerprint, first_seen: new Date().toISOString() });
      void this.flush();
      return { result: 'new', fingerprint };
    }
    if (known.fingerprint === fingerprint) return { result: 'trusted', fingerprint };
    return { result: 'changed', fingerprint, expected: known.fingerprint };
  }

  /** Forget a host's key (after the owner confirmed the host was reinstalled); false when none was known. */
  async forget(hostname: string, port: number): Promise<boolean> {
    const id = HostKeyStore.hostId(hostname, port);
    if (!this.hosts.delete(id)) return false;
    await this.flush();
    return true;
  }

  flush(): Promise<void> {
    return this.writer.save(() => ({ version: 1, hosts: Object.fromEntries(this.hosts) }));
  }
}
