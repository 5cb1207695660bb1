// The bridge as a process: `npm run serve` prints one line with its URL, and SIGTERM (to the npm
// process itself) or SIGINT closes every SSH session, saves state and exits 0. Bad config exits 2.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeDataDir } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { REPO_ROOT, startBridgeChild, type BridgeChild } from '../support/server-child.js';
import { connectBody } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let sshd: Sshd;
const dataDirs: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function post(child: BridgeChild, route: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(child.baseUrl + route, {
    method: 'POST',
    headers: { authorization: `Bearer ${child.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const portClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('npm run serve', () => {
  // Generous: `npm run serve` first builds the web UI when renderer/dist is missing or stale.
  it('prints one line with the URL, serves, and on SIGTERM to npm closes sessions, saves state and exits 0', { timeout: 240_000 }, async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const child = await startBridgeChild({ dataDir, viaNpm: true, env: { VIGILINK_LOG_LEVEL: 'info' } });
    expect(child.startLine).toMatch(/^Vigilink bridge listening on http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${child.baseUrl}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });

    // The sign-in link works once; the owner token itself is never printed.
    const link = await eventually('the sign-in line', () => /^Sign-in link .*: (http:\/\/127\.0\.0\.1:\d+\/#signin=([A-Za-z0-9_-]{43}))$/m.exec(child.stdout()));
    expect(link?.[1]?.startsWith(child.baseUrl)).toBe(true);
    const signIn = () =>
      fetch(`${child.baseUrl}/api/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nonce: link![2] }) });
    const first = await signIn();
    expect(first.status).toBe(200);
    const session = ((await first.json()) as { token: string }).token;
    expect((await signIn()).status).toBe(401);
    expect((await fetch(`${child.baseUrl}/api/devices`, { headers: { authorization: `Bearer ${session}` } })).status).toBe(200);

    const connected = await post(child, '/ssh/connect?session_id=kept', connectBody(sshd, account));
    expect(connected.status).toBe(200);
    const port = Number(new URL(child.baseUrl).port);

    expect(await child.stop('SIGTERM')).toBe(0);
    // One line says where it listens; the JSON log lines never hold the token.
    const lines = child.stdout().split('\n').filter(Boolean);
    expect(lines.filter((l) => l.includes('listening on'))).toEqual([child.startLine]);
    for (const secret of [child.token, session]) {
      expect(child.stdout()).not.toContain(secret);
      expect(child.stderr()).not.toContain(secret);
    }
    expect(child.stdout()).toContain('"msg":"shutting down: closing SSH sessions and saving state"');
    // The node process behind npm is gone too, and sshd saw the session end.
    expect(await portClosed(port)).toBe(true);
    await eventually('sshd to see the session end', () => /Received disconnect from 127\.0\.0\.1|Disconnected from user/.test(fs.readFileSync(sshd.logFile, 'utf8')));
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'conns.json'), 'utf8'));
    expect(saved.users.alice.sessions.kept).toMatchObject({ hostname: '127.0.0.1', port: sshd.port, username: account.username });
  });

  it('exits 0 on SIGINT too', async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const child = await startBridgeChild({ dataDir });
    expect((await post(child, '/ssh/connect?session_id=s', connectBody(sshd, account, { user_id: 'bob' }))).status).toBe(200);
    expect(await child.stop('SIGINT')).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'conns.json'), 'utf8')).users.bob.sessions.s).toBeDefined();
  });

  it('npm run signin prints a new one-time link for the running bridge, never the owner token', { timeout: 120_000 }, async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const child = await startBridgeChild({ dataDir });
    try {
      const port = new URL(child.baseUrl).port;
      const env = { ...process.env, VIGILINK_HOST: '127.0.0.1', VIGILINK_PORT: port, VIGILINK_DATA_DIR: dataDir };
      const result = spawnSync('npm', ['run', '--silent', 'signin'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(child.token);
      const nonce = new RegExp(`^Sign-in link \\(works once, for 300 s\\): ${child.baseUrl}/#signin=([A-Za-z0-9_-]{43})\\n$`).exec(result.stdout)?.[1];
      expect(nonce, result.stdout).toBeDefined();
      const signIn = await fetch(`${child.baseUrl}/api/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nonce }) });
      expect(signIn.status).toBe(200);
    } finally {
      await child.stop('SIGTERM');
    }
  });

  it('refuses a bad configuration with exit 2, naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bridge/server.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, VIGILINK_PORT: 'eighty', VIGILINK_DATA_DIR: makeDataDir() },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Invalid configuration: VIGILINK_PORT: /);
  });
});
