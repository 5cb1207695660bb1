// A session through a jump host (two real sshd instances): the target is reached over the jump
// connection's forwarded channel, not a TCP connection of the bridge's own.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody, connectionProcesses, signalAll } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let jump: Sshd;
let target: Sshd;
let t: TestBridge;

beforeAll(async () => {
  [jump, target] = await Promise.all([startSshd(), startSshd()]);
  t = await startBridge();
});
afterAll(async () => {
  await t?.close();
  await Promise.all([jump?.stop(), target?.stop()]);
});

const jumpBody = (extra: Record<string, unknown> = {}) =>
  connectBody(target, account, {
    jump: { hostname: '127.0.0.1', port: jump.port, username: account.username, private_key: account.privateKey, ...extra },
  });

describe('jump host', () => {
  it('reaches the target through the jump host', async () => {
    const [jumpBefore, targetBefore] = [jump.connectionCount(), target.connectionCount()];
    const res = await t.api('POST', '/ssh/connect?session_id=via', jumpBody());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true, session_id: 'via', port: target.port, host_key_fingerprint: target.hostKeyFingerprint });
    expect(jump.connectionCount() - jumpBefore).toBe(1);
    expect(target.connectionCount() - targetBefore).toBe(1);

    // The target's peer is a process of the jump sshd, not the bridge.
    const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', session_id: 'via', command: 'echo $SSH_CONNECTION' });
    const peerPort = run.body.stdout.split(' ')[1];
    const owner = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${peerPort} )`]).toString();
    expect(owner).toMatch(/"sshd",pid=\d+/);
    expect(connectionProcesses(jump).some((pid) => owner.includes(`pid=${pid},`))).toBe(true);

    const status = await t.api('GET', '/ssh/status?user_id=alice');
    expect(status.body.sessions).toMatchObject([{ session_id: 'via', active: true, via_jump: `${account.username}@127.0.0.1:${jump.port}` }]);
  });

  it('says which host refused when the jump host login fails', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=badjump', jumpBody({ private_key: undefined, password: 'wrong-password' }));
    expect(res.status).toBe(502);
    expect(res.body.detail).toBe(`SSH authentication failed for ${account.username}@127.0.0.1:${jump.port}: the server rejected the password or key`);
  });

  it('says the jump host could not reach a target where nothing listens', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=nowhere', connectBody(target, account, {
      port: 1,
      jump: { hostname: '127.0.0.1', port: jump.port, username: account.username, password: account.password },
    }));
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/^The jump host could not reach 127\.0\.0\.1:1: /);
  });

  it('requires a password or key for the jump host, naming the field', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=x', jumpBody({ private_key: undefined }));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/^jump\.password: Required/);
  });

  it('drops the session when the jump host connection goes, saying so', async () => {
    signalAll(connectionProcesses(jump), 'SIGKILL');
    const session = await eventually('the drop to show', async () => {
      const res = await t.api('GET', '/ssh/status?user_id=alice');
      return res.body.sessions.find((s: { session_id: string; active: boolean }) => s.session_id === 'via' && !s.active);
    });
    expect(session.reason).toBe('the jump host connection closed');
  });
});
