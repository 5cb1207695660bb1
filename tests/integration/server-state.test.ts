// State across a restart: sessions come back listed inactive (credentials are not kept), the owner
// token is reused, and no secret (password, key, passphrase, token) is in any state or log file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeDataDir, startBridge, type TestBridge } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody, filesUnder } from '../support/ssh-test-kit.js';

const account = inject('testAccount');
let sshd: Sshd;
let dataDir: string;
let firstToken: string;
const RESTART_REASON = 'the bridge restarted; credentials are not kept, so connect again';

beforeAll(async () => {
  sshd = await startSshd();
  dataDir = makeDataDir();
  const first = await startBridge({}, dataDir);
  firstToken = first.token;
  try {
    const ok = async (sessionId: string, extra: Record<string, unknown>) =>
      expect((await first.api('POST', `/ssh/connect?session_id=${sessionId}`, connectBody(sshd, account, extra))).status).toBe(200);
    await ok('pw', {});
    await ok('key', { password: undefined, private_key: account.encryptedPrivateKey, passphrase: account.keyPassphrase });
    await ok('jumped', { jump: { hostname: '127.0.0.1', port: sshd.port, username: account.username, password: account.password } });
    await ok('other', { user_id: 'bob', password: undefined, private_key: account.privateKey });
    // A failed login logs its attempt: the password must not go with it.
    await first.api('POST', '/ssh/connect?session_id=bad', connectBody(sshd, account, { password: `${account.password}-wrong` }));
  } finally {
    await first.close();
  }
});
afterAll(async () => {
  await sshd?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('after a restart on the same data dir', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({}, dataDir);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reuses the owner token (mode 0600, 256 bits or more)', () => {
    expect(t.token).toBe(firstToken);
    const file = path.join(dataDir, 'owner.token');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(t.token, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('lists every session inactive, saying why', async () => {
    const res = await t.api('GET', '/ssh/status?user_id=alice');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: false, user_id: 'alice', count: 3 });
    const sessions = res.body.sessions as Array<Record<string, unknown>>;
    expect(sessions.map((s) => s.session_id).sort()).toEqual(['jumped', 'key', 'pw']);
    for (const session of sessions) {
      expect(session).toMatchObject({ hostname: '127.0.0.1', port: sshd.port, username: account.username, active: false, reason: RESTART_REASON });
    }
    expect(sessions.find((s) => s.session_id === 'jumped')!.via_jump).toBe(`${account.username}@127.0.0.1:${sshd.port}`);
    expect((await t.api('GET', '/ssh/status?user_id=bob')).body.count).toBe(1);
  });

  it('cannot run on them (404 saying so) until they are connected again', async () => {
    const named = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', session_id: 'pw', command: 'true' });
    expect(named.status).toBe(404);
    expect(named.body.detail).toBe(`SSH session 'pw' is not active (${RESTART_REASON})`);
    expect((await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command: 'true' })).status).toBe(404);
    expect((await t.api('POST', '/ssh/connect?session_id=pw', connectBody(sshd, account))).status).toBe(200);
    const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', session_id: 'pw', command: 'echo back' });
    expect(run.body.stdout).toBe('back\n');
    const status = await t.api('GET', '/ssh/status?user_id=alice');
    expect(status.body.sessions.find((s: { session_id: string }) => s.session_id === 'pw')).toMatchObject({ active: true, reason: null });
  });

  it('lets a listed-only session be removed', async () => {
    expect((await t.api('POST', '/ssh/disconnect?user_id=bob&session_id=other')).status).toBe(200);
    expect((await t.api('GET', '/ssh/status?user_id=bob')).body.count).toBe(0);
  });

  it('keeps the host keys it learned', () => {
    const known = JSON.parse(fs.readFileSync(path.join(dataDir, 'known-hosts.json'), 'utf8'));
    expect(known.pins).toContainEqual(expect.objectContaining({ hostname: '127.0.0.1', port: sshd.port, route: 'direct', fingerprint: sshd.hostKeyFingerprint }));
  });
});

describe('secrets on disk', () => {
  it('state files are mode 0600 and hold metadata only', () => {
    const conns = path.join(dataDir, 'conns.json');
    expect(fs.statSync(conns).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(conns, 'utf8'));
    expect(Object.keys(stored.users.alice.sessions.key).sort()).toEqual(['connected_at', 'host_key_fingerprint', 'hostname', 'port', 'username', 'via_jump']);
  });

  it('no password, key, passphrase or token in any file of the data dir or the log', () => {
    const keyBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    const secrets: Array<[string, string]> = [
      ['password', account.password],
      ['passphrase', account.keyPassphrase],
      ['owner token', firstToken],
      ...keyBody(account.privateKey).map((line): [string, string] => ['private key', line]),
      ...keyBody(account.encryptedPrivateKey).map((line): [string, string] => ['encrypted private key', line]),
    ];
    const files = filesUnder(dataDir);
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['conns.json', 'known-hosts.json', 'bridge.log', 'owner.token']));
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const [what, secret] of secrets) {
        if (what === 'owner token' && path.basename(file) === 'owner.token') continue;
        expect(text.includes(secret), `${what} found in ${path.relative(dataDir, file)}`).toBe(false);
      }
    }
    // The log did record the events, so the check above looked at real lines.
    expect(fs.readFileSync(path.join(dataDir, 'bridge.log'), 'utf8')).toContain('"event":"ssh.connect_failed"');
  });
});
