// SSH session pools against a real sshd: connect, status, run, disconnect, limits, failures.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from './helpers/bridge.js';
import { startSshd, type Sshd } from './helpers/sshd.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;

const connectBody = (extra: Record<string, unknown> = {}) => ({
  user_id: 'alice',
  hostname: '127.0.0.1',
  port: sshd.port,
  username: account.username,
  password: account.password,
  ...extra,
});

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge();
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

describe('POST /ssh/connect', () => {
  it('connects with a password and answers the earlier contract plus the host key fingerprint', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=default', connectBody());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      connected: true,
      user_id: 'alice',
      session_id: 'default',
      hostname: '127.0.0.1',
      port: sshd.port,
      host_key_fingerprint: sshd.hostKeyFingerprint,
    });
  });

  it('runs a command on the session', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command: 'echo hello; echo oops >&2; exit 3' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stdout: 'hello\n', stderr: 'oops\n', exit_code: 3, container_id: null, timed_out: false, truncated: false });
  });

  it('lists the session as active', async () => {
    const res = await t.api('GET', '/ssh/status?user_id=alice');
    expect(res.status).toBe(200);
    expect(res.body.connected).toBe(true);
    expect(res.body.count).toBe(1);
    expect(res.body.sessions[0]).toMatchObject({ session_id: 'default', hostname: '127.0.0.1', username: account.username, port: sshd.port, active: true });
  });

  it('fails with 502 saying authentication failed for a wrong password', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=bad', connectBody({ password: 'wrong-password' }));
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/authentication failed/i);
    expect(JSON.stringify(res.body)).not.toContain('wrong-password');
  });

  it('disconnects, then 404 for the same session', async () => {
    const first = await t.api('POST', '/ssh/disconnect?user_id=alice&session_id=default');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ disconnected: true, user_id: 'alice', session_id: 'default' });
    const again = await t.api('POST', '/ssh/disconnect?user_id=alice&session_id=default');
    expect(again.status).toBe(404);
  });
});
