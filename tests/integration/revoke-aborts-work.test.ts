// Revoking a device ends what it still has running against a real sshd: a long command is killed on the
// server (its HTTP answer is 401), a slow download is cut, a terminal's shell ends, and every SSH channel
// comes back. Another device of the same user keeps its work.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TermOpened } from '../../bridge/contracts/terminal.js';
import type { SshSession } from '../../bridge/ssh/ssh-session.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, pairDevice, request, waitForDisconnect, type PairedDevice } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;
let phone: PairedDevice;
let tablet: PairedDevice;
let session: SshSession;

beforeAll(async () => {
  sshd = await startSshd();
  // Its phones connect to the loopback sshd, which devices may only do when the owner allows it.
  t = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1' });
  phone = await pairDevice(t, 'alice', 'doomed phone');
  tablet = await pairDevice(t, 'alice', 'kept tablet');
  expect((await t.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account), { token: phone.token })).status).toBe(200);
  session = t.bridge.context.sessions.require('alice', 'default');
}, 60_000);
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

/** Pids of processes whose command line is exactly `argv` (the remote commands run as the test account). */
function pidsOf(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '-x', pattern]).toString().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A download of /dev/zero (endless) read slowly: resolves when the bridge cuts it. */
function slowDownload(token: string): { cut: Promise<number>; received: () => number } {
  let received = 0;
  const cut = new Promise<number>((resolve, reject) => {
    const url = new URL('/api/fs/download?path=/dev/zero', t.baseUrl);
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`download answered ${res.statusCode}`));
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        // A slow reader: a little at a time, never stalling long enough for DOWNLOAD_STALL_SECONDS.
        res.pause();
        setTimeout(() => res.resume(), 20);
      });
      res.on('close', () => resolve(received));
    });
    req.on('error', () => resolve(received));
  });
  return { cut, received: () => received };
}

describe('revoking a device', () => {
  it('kills its running command, cuts its download and closes its terminal; another device keeps its own', async () => {
    const socket = await connectSocket(t.baseUrl, { token: phone.token });
    const opened = await request<TermOpened>(socket, 'term:open', { cols: 80, rows: 24 });
    expect(opened.ok).toBe(true);
    const command = t.api('POST', '/api/terminal/bastion/run', { command: 'sleep 61.5', timeout: 120 }, { token: phone.token });
    const kept = t.api('POST', '/api/terminal/bastion/run', { command: 'sleep 5; echo kept', timeout: 60 }, { token: tablet.token });
    const download = slowDownload(phone.token);
    await eventually('the command runs on the server', () => pidsOf('sleep 61.5').length === 1);
    await eventually('the download moves', () => download.received() > 64 * 1024);
    await eventually('terminal, two commands and the download hold channels', () => session.channelsInUse === 4);
    expect(t.bridge.context.deviceWork.count(phone.deviceId)).toBe(2);

    const started = Date.now();
    const disconnected = waitForDisconnect(socket);
    expect((await t.api('DELETE', `/api/devices/${phone.deviceId}`)).status).toBe(200);

    const answer = await command;
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toBe('This device was revoked');
    expect(Date.now() - started).toBeLessThan(5000);
    await download.cut;
    await disconnected;
    await eventually('the remote sleep is gone', () => pidsOf('sleep 61.5').length === 0);
    expect(t.bridge.context.terminals.get(opened.ok ? opened.data.terminal_id : '')).toBeFalsy();
    const keptAnswer = await kept;
    expect(keptAnswer.status).toBe(200);
    expect(keptAnswer.body.stdout).toBe('kept\n');
    await eventually('every channel is back', () => session.channelsInUse === 0);
    expect(t.bridge.context.deviceWork.count(phone.deviceId)).toBe(0);
    socket.close();
  }, 60_000);
});
