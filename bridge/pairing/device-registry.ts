// The paired devices, in $VIGILINK_DATA_DIR/devices.json (atomic writes, mode 0600). Only a SHA-256 of
// each device token is kept: the token itself is shown to the phone once and never stored.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { DeviceListing } from '../contracts/pairing.js';
import { AppError } from '../core/errors.js';
import { JsonFileWriter } from '../store/atomic-json.js';

export const DEVICES_FILE = 'devices.json';
/** Recognisable by secret scanners, and lets the authenticator skip tokens that cannot be a device's. */
export const DEVICE_TOKEN_PREFIX = 'vld_';
/** last_seen is kept in memory on every call but written at most this often per device. */
const TOUCH_PERSIST_MS = 60_000;

interface StoredDevice {
  id: string;
  user_id: string;
  name: string;
  token_sha256: string;
  created_at: string;
  last_seen_at: string | null;
  last_ip: string | null;
}

interface DevicesFile {
  version: 1;
  devices: StoredDevice[];
}

export interface PairedDevice {
  id: string;
  userId: string;
}

type RegistryEvents = { changed: [userId: string] };

export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

export class DeviceRegistry extends EventEmitter<RegistryEvents> {
  private readonly byId = new Map<string, StoredDevice>();
  private readonly byHash = new Map<string, StoredDevice>();
  private readonly persistedTouch = new Map<string, number>();
  private readonly writer: JsonFileWriter<DevicesFile>;
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.file = path.join(dataDir, DEVICES_FILE);
    this.writer = new JsonFileWriter(this.file);
  }

  /**
   * Read devices.json synchronously, once, at start: device tokens must work from the first request
   * after a restart (a phone reconnects at once). A corrupt file stops the start rather than unpair all.
   */
  loadSync(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const data = JSON.parse(text) as DevicesFile;
    for (const device of data.devices ?? []) this.index(device);
  }

  /** A new device for a user; resolves once it is on disk, with its token (shown this once). */
  async add(userId: string, name: string): Promise<{ device: DeviceListing; token: string }> {
    const token = DEVICE_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
    const device: StoredDevice = {
      id: `dev_${crypto.randomBytes(8).toString('hex')}`,
      user_id: userId,
      name,
      token_sha256: hashToken(token),
      created_at: this.now().toISOString(),
      last_seen_at: null,
      last_ip: null,
    };
    this.index(device);
    await this.save();
    this.emit('changed', userId);
    return { device: toListing(device), token };
  }

  /**
   * The device a token belongs to. A Map lookup by the token's hash: timing reveals at most something
   * about a hash, which says nothing about any token.
   */
  findByToken(token: string): PairedDevice | null {
    if (!token.startsWith(DEVICE_TOKEN_PREFIX)) return null;
    const device = this.byHash.get(hashToken(token));
    return device ? { id: device.id, userId: device.user_id } : null;
  }

  /** Note a call from a device: last seen now, from this address. */
  touch(id: string, clientAddress: string | undefined): void {
    const device = this.byId.get(id);
    if (!device) return;
    const now = this.now();
    const addressChanged = clientAddress !== undefined && clientAddress !== device.last_ip;
    device.last_seen_at = now.toISOString();
    if (clientAddress !== undefined) device.last_ip = clientAddress;
    const lastPersisted = this.persistedTouch.get(id) ?? 0;
    if (addressChanged || now.getTime() - lastPersisted >= TOUCH_PERSIST_MS) {
      this.persistedTouch.set(id, now.getTime());
      // A failed last-seen write costs nothing but freshness; the next change writes it again.
      this.save().catch(() => undefined);
    }
  }

  get(id: string): DeviceListing | null {
    const device = this.byId.get(id);
    return device ? toListing(device) : null;
  }

  /** Devices of one user, or of everyone; oldest first. */
  list(userId?: string): DeviceListing[] {
    return [...this.byId.values()]
      .filter((d) => userId === undefined || d.user_id === userId)
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
      .map(toListing);
  }

  /** Forget a device: its token stops working before this returns; the file follows. */
  async revoke(id: string): Promise<DeviceListing> {
    const device = this.byId.get(id);
    if (!device) throw new AppError('not_found', `No paired device '${id}'`);
    this.byId.delete(id);
    this.byHash.delete(device.token_sha256);
    this.persistedTouch.delete(id);
    await this.save();
    this.emit('changed', device.user_id);
    return toListing(device);
  }

  flush(): Promise<void> {
    return this.save();
  }

  private index(device: StoredDevice): void {
    this.byId.set(device.id, device);
    this.byHash.set(device.token_sha256, device);
  }

  private save(): Promise<void> {
    return this.writer.save(() => ({ version: 1, devices: [...this.byId.values()] }));
  }
}

function toListing(device: StoredDevice): DeviceListing {
  return {
    id: device.id,
    user_id: device.user_id,
    name: device.name,
    created_at: device.created_at,
    last_seen_at: device.last_seen_at,
    last_ip: device.last_ip,
  };
}
