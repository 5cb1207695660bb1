// Connect failures, each a 502 whose detail says which: refused, timed out, host key changed (with no
// password sent), closed during the handshake. The process stays up and answers the next request.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { freePort, startSshd, type Sshd } from '../support/sshd.js';
import { silentTcpServer } from '../support/ssh-test-kit.js';

const account = inject('testAccount');
let t: TestBridge;

beforeAll(async () => {
  t = await startBridge({ SSH_CONNECT_TIMEOUT_SECONDS: '1' });
});
afterAll(async () => {
  await t?.close();
});

/** The direct pin of 127.0.0.1:port as known-hosts.json holds it (one pin per route and host). */
const directPin = (port: number): { fingerprint: string } =>
  JSON.parse(fs.readFileSync(`${t.dataDir}/known-hosts.json`, 'utf8')).pins.find(
    (pin: { hostname: string; port: number; route: string }) => pin.hostname === '127.0.0.1' && pin.port === port && pin.route === 'direct',
  );
const connectTo = (port: number, extra: Record<string, unknown> = {}) =>
  t.api('POST', '/ssh/connect?session_id=f', { user_id: 'alice', hostname: '127.0.0.1', port, username: account.username, password: account.password, ...extra });

describe('connect failures', () => {
  it('says refused for a port where nothing listens', async () => {
    const res = await connectTo(await freePort());
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/^Connection refused by 127\.0\.0\.1:\d+: no SSH server is listening there$/);
  });

  it('says timed out (after SSH_CONNECT_TIMEOUT_SECONDS) for a server that accepts and never speaks', async () => {
    const silent = await silentTcpServer();
    try {
      const started = Date.now();
      const res = await connectTo(silent.port);
      expect(res.status).toBe(502);
      expect(res.body.detail).toMatch(/^SSH connection to 127\.0\.0\.1:\d+ timed out after 1 s$/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it('says the connection closed during the handshake for a server that hangs up at once', async () => {
    const server = net.createServer((socket) => socket.end('SSH-2.0-Broken\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await connectTo((server.address() as net.AddressInfo).port);
      expect(res.status).toBe(502);
      expect(res.body.detail).toMatch(/^SSH connection to 127\.0\.0\.1:\d+ closed during the handshake$/);
    } finally {
      server.close();
    }
  });

  it('never lists a failed connect as a session', async () => {
    const res = await t.api('GET', '/ssh/status?user_id=alice');
    expect(res.body).toEqual({ connected: false, user_id: 'alice', count: 0, sessions: [] });
  });
});

describe('host key changed', () => {
  let sshd: Sshd;
  afterAll(async () => {
    await sshd?.stop();
  });

  it('refuses a host whose key changed, before any password is sent, and keeps the first key', async () => {
    sshd = await startSshd();
    const first = await connectTo(sshd.port);
    expect(first.status).toBe(200);
    expect(first.body.host_key_fingerprint).toBe(sshd.hostKeyFingerprint);
    await t.api('POST', '/ssh/disconnect?user_id=alice&session_id=f');
    const oldFingerprint = sshd.hostKeyFingerprint;
    await sshd.stop();

    // The same address answers with another host key (a reinstalled host, or someone in the middle).
    sshd = await startSshd({ port: sshd.port });
    expect(sshd.hostKeyFingerprint).not.toBe(oldFingerprint);
    const res = await connectTo(sshd.port);
    expect(res.status).toBe(502);
    expect(res.body.detail).toContain('host key changed');
    expect(res.body.detail).toContain(`expected ${oldFingerprint}, got ${sshd.hostKeyFingerprint}`);
    expect(res.body.detail).toContain('no password was sent');

    // sshd saw the connection but no authentication attempt of any kind.
    const log = fs.readFileSync(sshd.logFile, 'utf8');
    const attempt = log.split('\n').filter((line) => line.includes('Connection from 127.0.0.1')).length;
    expect(attempt).toBeGreaterThanOrEqual(2); // the start-up probe and the bridge
    expect(log).not.toMatch(/password|keyboard-interactive|publickey|Accepted|Failed|Postponed|Invalid user/i);

    expect(directPin(sshd.port).fingerprint).toBe(oldFingerprint);
    // A key login is refused just the same.
    const withKey = await connectTo(sshd.port, { password: undefined, private_key: account.privateKey });
    expect(withKey.status).toBe(502);
    expect(withKey.body.detail).toContain('host key changed');
  });

  it('connects again once the owner forgets the old key, and trusts the new one', async () => {
    const forgotten = await t.api('DELETE', `/ssh/host-keys?hostname=127.0.0.1&port=${sshd.port}`);
    expect(forgotten.status).toBe(200);
    expect(forgotten.body).toEqual({ forgotten: true, hostname: '127.0.0.1', port: sshd.port });
    const again = await t.api('DELETE', `/ssh/host-keys?hostname=127.0.0.1&port=${sshd.port}`);
    expect(again.body.forgotten).toBe(false);

    const res = await connectTo(sshd.port);
    expect(res.status).toBe(200);
    expect(res.body.host_key_fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(directPin(sshd.port).fingerprint).toBe(sshd.hostKeyFingerprint);
  });
});
