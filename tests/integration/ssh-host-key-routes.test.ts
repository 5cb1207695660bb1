// Host-key pins per route against real sshd instances: a key one user's container route planted does not
// block another user's direct connection, jump-host targets get their own pins, and the owner lists and
// forgets pins (devices may not).
import net from 'node:net';
import type { ContainerPort } from '../../bridge/core/container-port.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { pairDevice, type PairedDevice } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';

const account = inject('testAccount');
let real: Sshd;
let planted: Sshd;
let t: TestBridge;
let alice: PairedDevice;

beforeAll(async () => {
  [real, planted] = await Promise.all([startSshd(), startSshd()]);
  // Devices here connect to the loopback sshd instances, which the owner allows for this bridge.
  // Mallory's VPN tunnel is "up": her connections leave through a stream the container port supplies. In
  // her container she controls /etc/hosts, so the name she asks for reaches her own server (a real TCP
  // stream to the planted sshd stands in for the container's socat).
  const plantedTunnel = (port: ContainerPort): ContainerPort => ({
    ...port,
    openStream: async (userId) => (userId === 'mallory' ? net.connect(planted.port, '127.0.0.1') : null),
  });
  t = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1' }, undefined, { containerPort: plantedTunnel });
  alice = await pairDevice(t, 'alice');
});
afterAll(async () => {
  await t?.close();
  await Promise.all([real?.stop(), planted?.stop()]);
});

const pins = async () => (await t.api('GET', '/ssh/host-keys')).body.pins as Array<Record<string, unknown>>;

describe('host-key pins by route', () => {
  it('keeps the key mallory’s container saw to mallory: alice still connects directly', async () => {
    const mallory = await t.api('POST', '/ssh/connect?session_id=m', connectBody(real, account, { user_id: 'mallory' }));
    expect(mallory.status).toBe(200);
    expect(mallory.body.host_key_fingerprint).toBe(planted.hostKeyFingerprint);

    const res = await t.api('POST', '/ssh/connect?session_id=a', connectBody(real, account, { user_id: undefined }), { token: alice.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.host_key_fingerprint).toBe(real.hostKeyFingerprint);
  });

  it('pins a jump host’s target on the jump route, apart from the same host reached directly', async () => {
    const jump = { hostname: '127.0.0.1', port: real.port, username: account.username, password: account.password };
    const res = await t.api('POST', '/ssh/connect?session_id=j', connectBody(planted, account, { user_id: undefined, jump }), { token: alice.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.host_key_fingerprint).toBe(planted.hostKeyFingerprint);
  });

  it('lists every pin with route, fingerprint, first seen and who learned it, to the owner only', async () => {
    const listed = await pins();
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ hostname: '127.0.0.1', port: real.port, route: 'container:mallory', route_label: "via user mallory's VPN container", fingerprint: planted.hostKeyFingerprint, learned_by_user: 'mallory', learned_by_device: null }),
        expect.objectContaining({ hostname: '127.0.0.1', port: real.port, route: 'direct', fingerprint: real.hostKeyFingerprint, learned_by_user: 'alice', learned_by_device: alice.deviceId }),
        expect.objectContaining({ hostname: '127.0.0.1', port: planted.port, route: `jump:[127.0.0.1]:${real.port}`, route_label: `via jump host 127.0.0.1:${real.port}`, fingerprint: planted.hostKeyFingerprint }),
      ]),
    );
    expect(listed).toHaveLength(3);
    for (const pin of listed) expect(Date.parse(String(pin.first_seen))).toBeGreaterThan(Date.now() - 600_000);
    const asDevice = await t.api('GET', '/ssh/host-keys', undefined, { token: alice.token });
    expect(asDevice.status).toBe(403);
  });

  it('forgets one route’s pin and leaves the others', async () => {
    const bad = await t.api('DELETE', `/ssh/host-keys?hostname=127.0.0.1&port=${real.port}&route=${encodeURIComponent('container:')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^route: /);
    const forgotten = await t.api('DELETE', `/ssh/host-keys?hostname=127.0.0.1&port=${real.port}&route=container%3Amallory`);
    expect(forgotten.body).toEqual({ forgotten: true, hostname: '127.0.0.1', port: real.port });
    expect((await pins()).map((pin) => pin.route).sort()).toEqual(['direct', `jump:[127.0.0.1]:${real.port}`]);
    // Without a route, the direct pin, as before routes existed.
    expect((await t.api('DELETE', `/ssh/host-keys?hostname=127.0.0.1&port=${real.port}`)).body.forgotten).toBe(true);
    expect((await pins()).map((pin) => pin.route)).toEqual([`jump:[127.0.0.1]:${real.port}`]);
    const asDevice = await t.api('DELETE', `/ssh/host-keys?hostname=127.0.0.1&port=${planted.port}&route=${encodeURIComponent(`jump:[127.0.0.1]:${real.port}`)}`, undefined, { token: alice.token });
    expect(asDevice.status).toBe(403);
  });
});
