// Host-key pins per route: one route's pin never vouches for or blocks another, a user's container pins
// stay that user's, old known-hosts.json files migrate as direct pins.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostKeyPinListing, parseRouteKeyOrThrow } from '../../../bridge/ssh/host-key-pins.js';
import { DIRECT_ROUTE, HostKeyStore, parseRouteKey, routeKey, sshFingerprint, type HostRoute, type PinLearner } from '../../../bridge/ssh/host-keys.js';

const dataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-hostkeys-'));
const KEY_A = Buffer.from('host key A');
const KEY_B = Buffer.from('host key B');
const by: PinLearner = { userId: 'alice', deviceId: 'dev-1' };
const target = (route: HostRoute, learnedBy = by) => ({ hostname: 'Cluster.example', port: 22, route, learnedBy });

describe('route keys', () => {
  it.each<[HostRoute, string]>([
    [DIRECT_ROUTE, 'direct'],
    [{ containerUser: 'bob', jump: null }, 'container:bob'],
    [{ containerUser: null, jump: '[bastion.example]:2222' }, 'jump:[bastion.example]:2222'],
    [{ containerUser: 'bob', jump: '[bastion.example]:22' }, 'container:bob jump:[bastion.example]:22'],
  ])('%j is %s and back', (route, key) => {
    expect(routeKey(route)).toBe(key);
    expect(parseRouteKey(key)).toEqual(route);
  });

  it.each(['', 'Direct', 'container:', 'container:../x', 'jump:host:22', 'jump:[h]:22 container:bob', 'container:a container:b', 'direct jump:[h]:1'])(
    'refuses %j',
    (key) => {
      expect(parseRouteKey(key)).toBeNull();
      expect(() => parseRouteKeyOrThrow(key)).toThrow(expect.objectContaining({ kind: 'invalid' }));
    },
  );
});

describe('HostKeyStore', () => {
  it('keeps one pin per route: a key planted in bob’s container blocks neither direct nor alice’s container', async () => {
    const store = new HostKeyStore(dataDir());
    expect(store.check(target({ containerUser: 'bob', jump: null }), KEY_B).result).toBe('new');
    expect(store.check(target(DIRECT_ROUTE), KEY_A).result).toBe('new');
    expect(store.check(target({ containerUser: 'alice', jump: null }), KEY_A).result).toBe('new');
    expect(store.check(target({ containerUser: null, jump: '[bastion]:22' }), KEY_A).result).toBe('new');
    expect(store.check(target(DIRECT_ROUTE), KEY_A).result).toBe('trusted');
    expect(store.check(target(DIRECT_ROUTE), KEY_B)).toEqual({ result: 'changed', fingerprint: sshFingerprint(KEY_B), expected: sshFingerprint(KEY_A) });
    expect(store.check(target({ containerUser: 'bob', jump: null }), KEY_A).result).toBe('changed');
    await store.flush();
  });

  it('lists pins with route, fingerprint, first seen and who learned them, and forgets one route only', async () => {
    const dir = dataDir();
    const store = new HostKeyStore(dir);
    store.check(target(DIRECT_ROUTE, { userId: 'alice', deviceId: null }), KEY_A);
    store.check(target({ containerUser: 'bob', jump: '[bastion]:22' }, { userId: 'bob', deviceId: 'dev-9' }), KEY_B);
    expect(hostKeyPinListing(store)).toEqual([
      expect.objectContaining({ hostname: 'cluster.example', port: 22, route: 'container:bob jump:[bastion]:22', route_label: "via user bob's VPN container, then jump host bastion:22", fingerprint: sshFingerprint(KEY_B), learned_by_user: 'bob', learned_by_device: 'dev-9' }),
      expect.objectContaining({ route: 'direct', route_label: 'direct', fingerprint: sshFingerprint(KEY_A), learned_by_user: 'alice', learned_by_device: null, first_seen: expect.any(String) }),
    ]);
    expect(await store.forget('cluster.example', 22, { containerUser: 'bob', jump: '[bastion]:22' })).toBe(true);
    expect(await store.forget('cluster.example', 22, { containerUser: 'bob', jump: '[bastion]:22' })).toBe(false);
    const reloaded = new HostKeyStore(dir);
    await reloaded.load();
    expect(reloaded.list().map((pin) => pin.route)).toEqual(['direct']);
  });

  it('reads a version 1 known-hosts.json as direct pins and saves it in the new format', async () => {
    const dir = dataDir();
    const v1 = { version: 1, hosts: { '[old.example]:22': { fingerprint: sshFingerprint(KEY_A), first_seen: '2026-11-01T00:00:00.000Z' }, '[::1]:2222': { fingerprint: 'SHA256:x', first_seen: '2026-11-02T00:00:00.000Z' } } };
    fs.writeFileSync(path.join(dir, 'known-hosts.json'), JSON.stringify(v1));
    const store = new HostKeyStore(dir);
    await store.load();
    expect(store.check({ hostname: 'old.example', port: 22, route: DIRECT_ROUTE, learnedBy: by }, KEY_B).result).toBe('changed');
    expect(store.check({ hostname: 'old.example', port: 22, route: { containerUser: 'alice', jump: null }, learnedBy: by }, KEY_B).result).toBe('new');
    await store.flush();
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'known-hosts.json'), 'utf8'));
    expect(saved.version).toBe(2);
    expect(saved.pins).toContainEqual({ hostname: '::1', port: 2222, route: 'direct', fingerprint: 'SHA256:x', first_seen: '2026-11-02T00:00:00.000Z', learned_by_user: null, learned_by_device: null });
    expect(saved.pins).toContainEqual(expect.objectContaining({ hostname: 'old.example', route: 'direct', fingerprint: sshFingerprint(KEY_A) }));
  });
});
