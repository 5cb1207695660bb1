// Trust on first use, per route: the SHA-256 fingerprint of each host's key as reached directly, through
// a jump host or from inside one user's VPN container (whose /etc/hosts that user controls), kept in
// known-hosts.json in the data dir. A pin learned on one route never vouches for, or blocks, another.
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

/** How a host was reached. */
export interface HostRoute {
  /** The user whose VPN container the connection left from; null: the workstation's own network. */
  containerUser: string | null;
  /** The jump host (`[host]:port`) that forwarded the connection; null: none. */
  jump: string | null;
}

export const DIRECT_ROUTE: HostRoute = { containerUser: null, jump: null };

/** Who made the connection that learned a pin: a user, and the paired device (null: the owner). */
export interface PinLearner {
  userId: string;
  deviceId: string | null;
}

/** A host connection to check: where, over which route, for whom. */
export interface HostKeyTarget {
  hostname: string;
  port: number;
  route: HostRoute;
  learnedBy: PinLearner;
}

export interface HostKeyPin {
  hostname: string;
  port: number;
  /** The route's key (`direct`, `container:<user>`, `jump:[host]:port`, or both joined by a space). */
  route: string;
  fingerprint: string;
  first_seen: string;
  /** null for pins from before routes were recorded (known-hosts.json version 1). */
  learned_by_user: string | null;
  learned_by_device: string | null;
}

interface KnownHostsFile {
  version: 2;
  pins: HostKeyPin[];
}

/** The first format: one pin per `[host]:port`, whatever the route; read as direct pins. */
interface KnownHostsFileV1 {
  version: 1;
  hosts: Record<string, { fingerprint: string; first_seen: string }>;
}

const HOST_ID = /^\[(.+)\]:(\d+)$/;
const CONTAINER_PART = /^container:([A-Za-z0-9][A-Za-z0-9._@-]{0,63})$/;
const JUMP_PART = /^jump:(\[.+\]:\d+)$/;

export function routeKey(route: HostRoute): string {
  const parts = [route.containerUser === null ? null : `container:${route.containerUser}`, route.jump === null ? null : `jump:${route.jump}`];
  return parts.filter((p) => p !== null).join(' ') || 'direct';
}

/** The route a key names, or null when it is not one routeKey makes. */
export function parseRouteKey(key: string): HostRoute | null {
  if (key === 'direct') return DIRECT_ROUTE;
  const parts = key.split(' ');
  if (parts.length > 2) return null;
  const container = CONTAINER_PART.exec(parts[0]!);
  const jump = JUMP_PART.exec(parts[parts.length - 1]!);
  if (parts.length === 2 ? !(container && jump) : !(container || jump)) return null;
  const route = { containerUser: container?.[1] ?? null, jump: jump?.[1] ?? null };
  return routeKey(route) === key ? route : null;
}

export class HostKeyStore {
  /** routeKey + ' ' + hostId -> pin. */
  private pins = new Map<string, HostKeyPin>();
  private readonly writer: JsonFileWriter<KnownHostsFile>;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'known-hosts.json');
    this.writer = new JsonFileWriter(this.file);
  }

  async load(): Promise<void> {
    const stored = await readJson<KnownHostsFile | KnownHostsFileV1>(this.file, { version: 2, pins: [] });
    const pins = stored.version === 1 ? migrateV1(stored) : (stored.pins ?? []);
    this.pins = new Map(pins.map((pin) => [pinKey(pin.hostname, pin.port, pin.route), pin]));
    // Old pins become direct ones (the only route they could be trusted for) and are saved so once.
    if (stored.version === 1) await this.flush();
  }

  static hostId(hostname: string, port: number): string {
    return `[${hostname.toLowerCase()}]:${port}`;
  }

  /** Check a presented key; a host seen for the first time on this route is remembered at once. */
  check(target: HostKeyTarget, keyBlob: Buffer): HostKeyCheck {
    const route = routeKey(target.route);
    const key = pinKey(target.hostname, target.port, route);
    const fingerprint = sshFingerprint(keyBlob);
    const known = this.pins.get(key);
    if (!known) {
      this.pins.set(key, {
        hostname: target.hostname.toLowerCase(),
        port: target.port,
        route,
        fingerprint,
        first_seen: new Date().toISOString(),
        learned_by_user: target.learnedBy.userId,
        learned_by_device: target.learnedBy.deviceId,
      });
      void this.flush();
      return { result: 'new', fingerprint };
    }
    if (known.fingerprint === fingerprint) return { result: 'trusted', fingerprint };
    return { result: 'changed', fingerprint, expected: known.fingerprint };
  }

  /** Every pin, by host then route. */
  list(): HostKeyPin[] {
    return [...this.pins.values()].sort((a, b) => a.hostname.localeCompare(b.hostname) || a.port - b.port || a.route.localeCompare(b.route));
  }

  /** Forget a host's key on one route (after the owner confirmed the host was reinstalled); false when none was known. */
  async forget(hostname: string, port: number, route: HostRoute = DIRECT_ROUTE): Promise<boolean> {
    if (!this.pins.delete(pinKey(hostname, port, routeKey(route)))) return false;
    await this.flush();
    return true;
  }

  flush(): Promise<void> {
    return this.writer.save(() => ({ version: 2, pins: this.list() }));
  }
}

function pinKey(hostname: string, port: number, route: string): string {
  return `${route} ${HostKeyStore.hostId(hostname, port)}`;
}

function migrateV1(stored: KnownHostsFileV1): HostKeyPin[] {
  const pins: HostKeyPin[] = [];
  for (const [id, entry] of Object.entries(stored.hosts ?? {})) {
    const match = HOST_ID.exec(id);
    if (!match) continue;
    pins.push({
      hostname: match[1]!,
      port: Number(match[2]),
      route: 'direct',
      fingerprint: entry.fingerprint,
      first_seen: entry.first_seen,
      learned_by_user: null,
      learned_by_device: null,
    });
  }
  return pins;
}
