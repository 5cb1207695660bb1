// A paired device may not open SSH connections to the workstation itself (its loopback sshd here),
// directly or as a jump host, unless the owner allows it; the owner's connections are unaffected.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { pairDevice, type PairedDevice } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;
let phone: PairedDevice;

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge();
  phone = await pairDevice(t, 'alice');
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

const LOCAL_REFUSAL = /is the workstation itself.*VIGILINK_DEVICE_LOCAL_TARGETS=1/;

describe('devices and the workstation’s own addresses', () => {
  it.each(['127.0.0.1', 'localhost', '127.0.0.2', '0.0.0.0', '::1', '::ffff:127.0.0.1'])(
    'refuses a device’s session to %s with 403 before any TCP connection',
    async (hostname) => {
      const before = sshd.connectionCount();
      const res = await t.api('POST', '/ssh/connect?session_id=local', connectBody(sshd, account, { hostname, user_id: undefined }), { token: phone.token });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(new RegExp(`^hostname: '${hostname.replace(/[.:]/g, '\\$&')}' ${LOCAL_REFUSAL.source}`));
      expect(sshd.connectionCount()).toBe(before);
    },
  );

  it('refuses the workstation as a device’s jump host', async () => {
    const before = sshd.connectionCount();
    const jump = { hostname: 'localhost', port: sshd.port, username: account.username, password: account.password };
    const res = await t.api('POST', '/ssh/connect?session_id=jump', connectBody(sshd, account, { hostname: 'cluster.invalid', user_id: undefined, jump }), {
      token: phone.token,
    });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/^jump\.hostname: 'localhost' is the workstation itself/);
    expect(sshd.connectionCount()).toBe(before);
  });

  it('leaves the owner’s connections to the same address alone', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=owner', connectBody(sshd, account));
    expect(res.status).toBe(200);
  });

  it('lets devices in when the owner allows local targets', async () => {
    const open = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1' });
    try {
      const device = await pairDevice(open, 'alice');
      const res = await open.api('POST', '/ssh/connect?session_id=allowed', connectBody(sshd, account, { user_id: undefined }), { token: device.token });
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
