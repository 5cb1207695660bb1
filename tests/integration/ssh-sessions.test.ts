// SSH session pools against a real sshd: connect (password, key, encrypted key), status, disconnect,
// the session limit, replacing a session, and drops noticed by keepalives and reported with a reason.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody, connectionProcesses, runsCommand, signalAll } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;

const body = (extra: Record<string, unknown> = {}) => connectBody(sshd, account, extra);
const keyOnly = (extra: Record<string, unknown> = {}) => body({ password: undefined, private_key: account.privateKey, ...extra });

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge({ SSH_MAX_SESSIONS_PER_USER: '3' });
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

describe('POST /ssh/connect', () => {
  it('connects with a password and answers the earlier contract plus the host key fingerprint', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=default', body());
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

  it('uses session_id "default" and port 22 when they are left out (port shows in the validation of a bad one)', async () => {
    const res = await t.api('POST', '/ssh/connect', body({ user_id: 'defaults' }));
    expect(res.status).toBe(200);
    expect(res.body.session_id).toBe('default');
    const badPort = await t.api('POST', '/ssh/connect', body({ port: 0 }));
    expect(badPort.status).toBe(400);
    expect(badPort.body.detail).toMatch(/^port: /);
    await t.api('POST', '/ssh/disconnect?user_id=defaults');
  });

  it('runs a command on the session', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command: 'echo hello; echo oops >&2; exit 3' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stdout: 'hello\n', stderr: 'oops\n', exit_code: 3, container_id: null, timed_out: false, truncated: false, signal: null });
  });

  it('connects with a private key', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=key', keyOnly({ user_id: 'keys' }));
    expect(res.status).toBe(200);
    const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'keys', session_id: 'key', command: 'id -un' });
    expect(run.body.stdout).toBe(`${account.username}\n`);
    expect(sshdLog()).toMatch(new RegExp(`Accepted publickey for ${account.username}`));
  });

  it('connects with an encrypted private key and its passphrase', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=enc', keyOnly({ user_id: 'keys', private_key: account.encryptedPrivateKey, passphrase: account.keyPassphrase }));
    expect(res.status).toBe(200);
    expect(res.body.session_id).toBe('enc');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an encrypted key without its passphrase', { private_key: 'ENCRYPTED' }, /^private_key: encrypted: the passphrase is missing or wrong/],
    ['an encrypted key with a wrong passphrase', { private_key: 'ENCRYPTED', passphrase: 'nope' }, /^private_key: encrypted: the passphrase is missing or wrong/],
    ['text that is not a key', { private_key: 'hello' }, /^private_key: not a private key/],
    ['neither password nor key', {}, /^password: Required \(or give private_key\)/],
  ])('answers 400 naming the field for %s', async (_what, extra, detail) => {
    const extraBody = { ...extra, ...(extra.private_key === 'ENCRYPTED' ? { private_key: account.encryptedPrivateKey } : {}) };
    const res = await t.api('POST', '/ssh/connect?session_id=bad', keyOnly({ user_id: 'keys', private_key: undefined, ...extraBody }));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(detail);
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');
  });

  it('fails with 502 saying authentication failed for a wrong password, and never echoes it', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=bad', body({ password: 'wrong-password' }));
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/SSH authentication failed for vltest@127\.0\.0\.1/);
    expect(JSON.stringify(res.body)).not.toContain('wrong-password');
  });
});

describe('GET /ssh/status', () => {
  it('lists the session as active with the earlier fields', async () => {
    const res = await t.api('GET', '/ssh/status?user_id=alice');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true, user_id: 'alice', count: 1 });
    expect(res.body.sessions).toEqual([
      {
        session_id: 'default',
        hostname: '127.0.0.1',
        username: account.username,
        port: sshd.port,
        active: true,
        connected_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        reason: null,
        via_jump: null,
      },
    ]);
  });

  it('never answers 404: an unknown user has an empty list', async () => {
    const res = await t.api('GET', '/ssh/status?user_id=nobody-here');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ connected: false, user_id: 'nobody-here', count: 0, sessions: [] });
  });
});

describe('session limit and replacement', () => {
  it('gives the next distinct session_id 409 at SSH_MAX_SESSIONS_PER_USER, while reusing one still works', async () => {
    for (const id of ['s1', 's2', 's3']) {
      expect((await t.api('POST', `/ssh/connect?session_id=${id}`, body({ user_id: 'bob' }))).status).toBe(200);
    }
    const before = sshd.connectionCount();
    const over = await t.api('POST', '/ssh/connect?session_id=s4', body({ user_id: 'bob' }));
    expect(over.status).toBe(409);
    expect(over.body.detail).toMatch(/already has 3 SSH sessions, the limit is 3/);
    // Refused before any connection was opened.
    expect(sshd.connectionCount()).toBe(before);
    // Another user has a limit of their own.
    expect((await t.api('POST', '/ssh/connect?session_id=s4', body({ user_id: 'carol' }))).status).toBe(200);
    expect((await t.api('POST', '/ssh/connect?session_id=s2', body({ user_id: 'bob' }))).status).toBe(200);
  });

  it('closes the old connection when a session_id is connected again', async () => {
    const run = (cmd: string) => t.api('POST', '/api/terminal/bastion/run', { user_id: 'bob', session_id: 's1', command: cmd });
    const oldPort = (await run('echo $SSH_CONNECTION')).body.stdout.split(' ')[1];
    expect((await t.api('POST', '/ssh/connect?session_id=s1', body({ user_id: 'bob' }))).status).toBe(200);
    const newPort = (await run('echo $SSH_CONNECTION')).body.stdout.split(' ')[1];
    expect(newPort).not.toBe(oldPort);
    await eventually('sshd to see the old connection closed', () => sshdLog().includes(`Disconnected from user ${account.username} 127.0.0.1 port ${oldPort}`));
    const status = await t.api('GET', '/ssh/status?user_id=bob');
    expect(status.body.count).toBe(3);
    expect(status.body.sessions.every((s: { active: boolean }) => s.active)).toBe(true);
  });

  it('lets two racing connects of new ids take the last slot only once', async () => {
    await t.api('POST', '/ssh/disconnect?user_id=bob&session_id=s3');
    const [a, b] = await Promise.all([
      t.api('POST', '/ssh/connect?session_id=r1', body({ user_id: 'bob' })),
      t.api('POST', '/ssh/connect?session_id=r2', body({ user_id: 'bob' })),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
  });
});

describe('POST /ssh/disconnect', () => {
  it('disconnects, then 404 for the same session', async () => {
    const first = await t.api('POST', '/ssh/disconnect?user_id=alice&session_id=default');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ disconnected: true, user_id: 'alice', session_id: 'default' });
    const again = await t.api('POST', '/ssh/disconnect?user_id=alice&session_id=default');
    expect(again.status).toBe(404);
    expect(again.body.detail).toBe("No SSH session 'default' for user 'alice'");
    expect((await t.api('GET', '/ssh/status?user_id=alice')).body.count).toBe(0);
  });

  it('uses session_id "default" when it is left out', async () => {
    await t.api('POST', '/ssh/connect', body({ user_id: 'dave' }));
    const res = await t.api('POST', '/ssh/disconnect?user_id=dave');
    expect(res.body).toEqual({ disconnected: true, user_id: 'dave', session_id: 'default' });
  });
});

describe('dropped sessions', () => {
  // Each test gets an sshd of its own, so every connection process under it belongs to that one session.
  it('notices a connection the server cut and says why in /ssh/status', async () => {
    const own = await startSshd();
    try {
      await t.api('POST', '/ssh/connect?session_id=cut', connectBody(own, account, { user_id: 'erin' }));
      signalAll(connectionProcesses(own), 'SIGKILL');
      const status = await eventually('the drop to show', async () => {
        const res = await t.api('GET', '/ssh/status?user_id=erin');
        return res.body.sessions[0]?.active === false ? res.body : null;
      });
      expect(status.connected).toBe(false);
      // Which of these depends on whether the kill left unread data (a reset) or not (an orderly close).
      expect(status.sessions[0].reason).toMatch(/^the (server ended the connection|connection closed|connection was reset)/);
      const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'erin', session_id: 'cut', command: 'true' });
      expect(run.status).toBe(404);
      expect(run.body.detail).toMatch(/^SSH session 'cut' is not active \(/);
      // The dropped entry can be removed, and reconnecting the same id makes it live again.
      expect((await t.api('POST', '/ssh/connect?session_id=cut', connectBody(own, account, { user_id: 'erin' }))).status).toBe(200);
      expect((await t.api('GET', '/ssh/status?user_id=erin')).body.sessions).toMatchObject([{ session_id: 'cut', active: true, reason: null }]);
      await t.api('POST', '/ssh/disconnect?user_id=erin&session_id=cut');
    } finally {
      await own.stop();
    }
  });

  it('notices a silent host through missed keepalives, failing the command that was running', async () => {
    const own = await startSshd();
    const fast = await startBridge({ SSH_KEEPALIVE_SECONDS: '0.3' });
    let stopped: number[] = [];
    try {
      await fast.api('POST', '/ssh/connect?session_id=ka', connectBody(own, account, { user_id: 'frank' }));
      const running = fast.api('POST', '/api/terminal/bastion/run', { user_id: 'frank', command: 'sleep 20', timeout: 30 });
      await eventually('the command to run on the host', () => runsCommand(own, 'sleep 20'));
      // Frozen, not killed: the TCP connection stays open and only the keepalives go unanswered.
      stopped = connectionProcesses(own);
      signalAll(stopped, 'SIGSTOP');
      const started = Date.now();
      const failed = await running;
      expect(failed.status).toBe(502);
      expect(failed.body.detail).toMatch(/dropped while the command ran: the connection stopped answering keepalives/);
      expect(Date.now() - started).toBeLessThan(5_000);
      const status = await fast.api('GET', '/ssh/status?user_id=frank');
      expect(status.body.sessions).toMatchObject([{ session_id: 'ka', active: false, reason: expect.stringMatching(/stopped answering keepalives/) }]);
      expect(fast.bridge.context.sessions.find('frank', 'ka')).toBeNull();
    } finally {
      signalAll(stopped, 'SIGKILL');
      await fast.close();
      await own.stop();
    }
  });
});

const sshdLog = (): string => fs.readFileSync(sshd.logFile, 'utf8');
