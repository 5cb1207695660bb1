// Channel starvation against a real sshd: terminals fill their share and a command still runs, a request
// that finds every channel busy gets 503 with Retry-After after SSH_CHANNEL_WAIT_SECONDS, and a download
// whose client stops reading ends after DOWNLOAD_STALL_SECONDS and gives its channel back.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TermOpened } from '../../bridge/contracts/terminal.js';
import type { SshSession } from '../../bridge/ssh/ssh-session.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, request, type ClientSocket } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody, logLines } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;
let socket: ClientSocket;
let session: SshSession;

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge({
    SSH_MAX_CHANNELS_PER_CONNECTION: '4',
    SSH_CHANNELS_RESERVED_FOR_COMMANDS: '2',
    SSH_CHANNEL_WAIT_SECONDS: '1',
    DOWNLOAD_STALL_SECONDS: '2',
  });
  expect((await t.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account))).status).toBe(200);
  session = t.bridge.context.sessions.require('alice', 'default');
  socket = await connectSocket(t.baseUrl, { token: t.token });
}, 60_000);
afterAll(async () => {
  socket?.close();
  await t?.close();
  await sshd?.stop();
});

const run = (command: string, timeout = 30) => t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command, timeout });

describe('SSH channels under load', () => {
  it('keeps channels for commands when terminals take their whole share', async () => {
    for (let i = 0; i < 2; i++) {
      const opened = await request<TermOpened>(socket, 'term:open', { user_id: 'alice', cols: 80, rows: 24 });
      expect(opened.ok).toBe(true);
    }
    expect(session.shellsOpen).toBe(2);
    // A third terminal waits for the share, not for the channels kept for commands, then is refused.
    const third = await request(socket, 'term:open', { user_id: 'alice', cols: 80, rows: 24 });
    expect(third).toMatchObject({ ok: false, error: { kind: 'unavailable', status: 503 } });
    expect(session.channelsInUse).toBe(2);

    const ran = await run('echo still-running');
    expect(ran.status).toBe(200);
    expect(ran.body.stdout).toBe('still-running\n');
  }, 60_000);

  it('answers 503 with Retry-After when a command waits too long for a channel, and changes nothing', async () => {
    const sleepers = [run('sleep 20'), run('sleep 20')];
    await eventually('every channel busy', () => session.channelsInUse === 4);
    const started = Date.now();
    const queued = await run('echo never');
    expect(queued.status).toBe(503);
    expect(Number(queued.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(queued.body.detail).toMatch(/stayed busy for 1 s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(session.active).toBe(true);
    expect(session.channelsInUse).toBe(4);
    // Free the channels: the session's close ends the sleepers (their answers are 502s).
    t.bridge.context.sessions.disconnect('alice', 'default');
    await Promise.all(sleepers);
    expect((await t.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account))).status).toBe(200);
    session = t.bridge.context.sessions.require('alice', 'default');
  }, 60_000);

  it('ends a download whose client stopped reading and frees its channel', async () => {
    expect(session.channelsInUse).toBe(0);
    const url = new URL('/api/fs/download?user_id=alice&path=/dev/zero', t.baseUrl);
    let received = 0;
    const req = http.get(url, { headers: { authorization: `Bearer ${t.token}` } }, (res) => {
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        // Read a little, then stop reading (a phone gone to sleep mid-download).
        if (received > 1024 * 1024) res.pause();
      });
    });
    req.on('error', () => undefined);
    try {
      await eventually('the download is under way', () => session.channelsInUse === 1 && received > 1024 * 1024);
      const paused = Date.now();
      await eventually('the channel is back', () => session.channelsInUse === 0, 15_000);
      expect(Date.now() - paused).toBeGreaterThanOrEqual(1500);
      const line = await eventually('the request log line', () => logLines(t).find((l) => l.msg === 'request' && l.path === '/api/fs/download'));
      expect(line).toMatchObject({ status: 200, aborted: true });
    } finally {
      req.destroy();
    }
    expect(session.active).toBe(true);
  }, 60_000);
});
