// ConnsStore and HostKeyStore keyed by Object.prototype member names (valid user ids, session ids and
// host names): each is an ordinary key, kept, written to its file and read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnsStore } from '../../../bridge/store/conns-store.js';
import { DIRECT_ROUTE, HostKeyStore } from '../../../bridge/ssh/host-keys.js';

const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf'];
const stored = { hostname: 'h', username: 'u', port: 22, connected_at: '2026-11-30T00:00:00.000Z', via_jump: null, host_key_fingerprint: null };

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-proto-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ConnsStore with prototype-name keys', () => {
  it('knows no user before one is stored, whatever the name', async () => {
    const store = new ConnsStore(dir);
    await store.load();
    for (const name of PROTOTYPE_NAMES) expect(store.user(name)).toBeUndefined();
  });

  it('stores, persists and reloads users and sessions named like Object.prototype members', async () => {
    const store = new ConnsStore(dir);
    await store.load();
    for (const name of PROTOTYPE_NAMES) {
      await store.update(name, (user) => {
        user.sessions[name] = stored;
        user.container_id = `c-${name}`;
      });
    }
    const file = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { users: Record<string, unknown> };
    expect(Object.keys(file.users).sort()).toEqual([...PROTOTYPE_NAMES].sort());
    const reloaded = new ConnsStore(dir);
    await reloaded.load();
    for (const name of PROTOTYPE_NAMES) {
      expect(reloaded.user(name)?.container_id).toBe(`c-${name}`);
      expect(Object.keys(reloaded.user(name)!.sessions)).toEqual([name]);
    }
    expect(({} as Record<string, unknown>).container_id).toBeUndefined();
    expect((Object as unknown as Record<string, unknown>).sessions).toBeUndefined();
  });

  it('drops a prototype-named user left with nothing', async () => {
    const store = new ConnsStore(dir);
    await store.load();
    await store.update('valueOf', (user) => void (user.container_id = 'c'));
    await store.update('valueOf', (user) => void (user.container_id = null));
    expect(store.user('valueOf')).toBeUndefined();
    expect([...store.allUsers().keys()]).toEqual([]);
  });
});

const target = (hostname: string) => ({ hostname, port: 22, route: DIRECT_ROUTE, learnedBy: { userId: 'constructor', deviceId: null } });

describe('HostKeyStore with prototype-name hosts', () => {
  it('treats a host named like an Object.prototype member as new, then trusted, then forgettable', async () => {
    const keys = new HostKeyStore(dir);
    await keys.load();
    const blob = Buffer.from('key');
    expect(keys.check(target('constructor'), blob).result).toBe('new');
    expect(keys.check(target('constructor'), blob).result).toBe('trusted');
    expect(await keys.forget('__proto__', 22)).toBe(false);
    expect(await keys.forget('constructor', 22)).toBe(true);
    await keys.flush();
    const reloaded = new HostKeyStore(dir);
    await reloaded.load();
    expect(reloaded.check(target('constructor'), blob).result).toBe('new');
  });
});
