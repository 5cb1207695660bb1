// DeviceRegistry on a real temp dir: hashed tokens, revocation at once, reload from devices.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from '../../../bridge/pairing/device-authenticator.js';
import { DeviceRegistry, hashToken } from '../../../bridge/pairing/device-registry.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-devices-'));

describe('DeviceRegistry', () => {
  it('stores only the hash of a 256-bit token, atomically, mode 0600', async () => {
    const dir = tempDir();
    const registry = new DeviceRegistry(dir);
    const { device, token } = await registry.add('alice', 'Pixel');
    expect(Buffer.from(token.slice(4), 'base64url').length).toBe(32);
    const text = fs.readFileSync(path.join(dir, 'devices.json'), 'utf8');
    expect(text).not.toContain(token);
    expect(JSON.parse(text).devices).toEqual([expect.objectContaining({ id: device.id, user_id: 'alice', token_sha256: hashToken(token) })]);
    expect(fs.statSync(path.join(dir, 'devices.json')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('authenticates a device for its own user and records where it was seen', async () => {
    const registry = new DeviceRegistry(tempDir());
    const { device, token } = await registry.add('bob', 'phone');
    const auth = new DeviceAuthenticator(registry);
    expect(auth.authenticate(token, { clientAddress: '192.168.1.20' })).toEqual({ kind: 'device', userId: 'bob', deviceId: device.id });
    expect(registry.get(device.id)).toMatchObject({ last_ip: '192.168.1.20', last_seen_at: expect.any(String) });
    expect(auth.authenticate(token + 'x')).toBeNull();
    expect(auth.authenticate('owner-looking-token')).toBeNull();
  });

  it('stops a revoked token at once, and keeps the rest across a reload', async () => {
    const dir = tempDir();
    const registry = new DeviceRegistry(dir);
    const kept = await registry.add('carol', 'kept');
    const gone = await registry.add('carol', 'gone');
    const revoking = registry.revoke(gone.device.id);
    expect(registry.findByToken(gone.token)).toBeNull();
    await revoking;
    await expect(registry.revoke(gone.device.id)).rejects.toMatchObject({ kind: 'not_found' });

    const reloaded = new DeviceRegistry(dir);
    reloaded.loadSync();
    expect(reloaded.findByToken(kept.token)).toEqual({ id: kept.device.id, userId: 'carol' });
    expect(reloaded.findByToken(gone.token)).toBeNull();
    expect(reloaded.list('carol').map((d) => d.name)).toEqual(['kept']);
    expect(reloaded.list('someone-else')).toEqual([]);
  });

  it('refuses to start on a corrupt devices.json rather than unpair everyone', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'devices.json'), '{ not json');
    expect(() => new DeviceRegistry(dir).loadSync()).toThrow();
  });
});
