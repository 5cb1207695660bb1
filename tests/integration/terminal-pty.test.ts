// Interactive terminals through socket.io into a real sshd's PTY: echo, resize, exit, the per-user limit,
// sockets that drop, and backpressure (a client that stops reading must not grow the bridge's memory).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TermOpened } from '../../bridge/contracts/terminal.js';
import { makeDataDir, startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import { connectSocket, killSshdTree, pairDevice, request, waitForEvent, type ClientSocket, type PairedDevice } from '../support/live-client.js';
import { startBridgeChild, type BridgeChild } from '../support/server-child.js';
import { startSshd, type Sshd } from '../support/sshd.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;
let phone: PairedDevice;

const connectBody = (port: number) => ({ hostname: '127.0.0.1', port, username: account.username, password: account.password });

/** Collects one terminal's output (acking each chunk, as a client must) and waits for text in it. */
class TerminalReader {
  text = '';
  constructor(socket: ClientSocket, readonly id: string) {
    socket.on('term:data', (payload, ack) => {
      if (payload.terminal_id !== this.id) return;
      this.text += Buffer.from(payload.data as Uint8Array).toString('utf8');
      ack();
    });
  }

  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return eventually(`terminal output to match ${pattern}`, () => {
      const match = pattern.exec(this.text);
      if (!match) throw new Error(`the terminal shows ${JSON.stringify(this.text.slice(-500))}`);
      return match;
    }, { timeoutMs, intervalMs: 10 });
  }
}

async function openTerminal(socket: ClientSocket, payload: Record<string, unknown> = {}): Promise<TermOpened> {
  const ack = await request<TermOpened>(socket, 'term:open', { cols: 80, rows: 24, ...payload });
  if (!ack.ok) throw new Error(`term:open failed: ${JSON.stringify(ack.error)}`);
  return ack.data;
}

beforeAll(async () => {
  sshd = await startSshd();
  // Ten channels (the test sshd's MaxSessions): eight terminals on one session plus the two kept for commands.
  // Its phone connects to the loopback sshd, which devices may only do when the owner allows it.
  t = await startBridge({ SSH_MAX_CHANNELS_PER_CONNECTION: '10', VIGILINK_DEVICE_LOCAL_TARGETS: '1' });
  phone = await pairDevice(t, 'alice', 'terminal phone');
  expect((await t.api('POST', '/ssh/connect?session_id=default', connectBody(sshd.port), { token: phone.token })).status).toBe(200);
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

describe('an interactive terminal through the real sshd', () => {
  let socket: ClientSocket;
  let opened: TermOpened;
  let reader: TerminalReader;
  afterAll(() => socket?.close());

  it('opens on the session with a PTY and echoes a command’s output', async () => {
    socket = await connectSocket(t.baseUrl, { token: phone.token });
    opened = await openTerminal(socket);
    expect(opened).toMatchObject({ user_id: 'alice', session_id: 'default', target: 'ssh', cols: 80, rows: 24 });
    reader = new TerminalReader(socket, opened.terminal_id);
    socket.emit('term:input', { terminal_id: opened.terminal_id, data: 'echo hi\r' });
    await reader.waitFor(/[\r\n]hi\r\n/);
  });

  it('resizes the PTY (stty size sees the new window)', async () => {
    expect(await request(socket, 'term:resize', { terminal_id: opened.terminal_id, cols: 132, rows: 43 })).toEqual({ ok: true, data: null });
    socket.emit('term:input', { terminal_id: opened.terminal_id, data: 'stty size\r' });
    await reader.waitFor(/[\r\n]43 132\r\n/);
  });

  it('ends with term:exit and the exit status when the shell exits', async () => {
    const exited = waitForEvent(socket, 'term:exit', (e) => e.terminal_id === opened.terminal_id);
    socket.emit('term:input', { terminal_id: opened.terminal_id, data: 'exit 3\r' });
    const [exit] = await exited;
    expect(exit).toEqual({ terminal_id: opened.terminal_id, exit_code: 3, signal: null, reason: null });
    const late = await request(socket, 'term:input', { terminal_id: opened.terminal_id, data: 'x' });
    expect(late).toMatchObject({ ok: false, error: { status: 404 } });
  });

  it('answers with the reason when it cannot open', async () => {
    expect(await request(socket, 'term:open', { cols: 80, rows: 24, session_id: 'nope' })).toMatchObject({ ok: false, error: { status: 404 } });
    expect(await request(socket, 'term:open', { cols: 0, rows: 24 })).toMatchObject({ ok: false, error: { status: 400, detail: expect.stringMatching(/cols/) } });
    // alice has no VPN container (the VPN module answers container shells).
    expect(await request(socket, 'term:open', { cols: 80, rows: 24, target: 'container' })).toMatchObject({
      ok: false,
      error: { status: 404, detail: expect.stringMatching(/no VPN container/) },
    });
  });
});

describe('limits and cleanup', () => {
  it('allows 8 terminals per user, then 409 until one closes', async () => {
    const socket = await connectSocket(t.baseUrl, { token: phone.token });
    try {
      const terminals: TermOpened[] = [];
      for (let i = 0; i < 8; i += 1) terminals.push(await openTerminal(socket));
      const ninth = await request(socket, 'term:open', { cols: 80, rows: 24 });
      expect(ninth).toMatchObject({ ok: false, error: { status: 409, detail: expect.stringMatching(/8 terminals/) } });
      const closed = waitForEvent(socket, 'term:exit', (e) => e.terminal_id === terminals[0]!.terminal_id);
      expect(await request(socket, 'term:close', { terminal_id: terminals[0]!.terminal_id })).toEqual({ ok: true, data: null });
      expect((await closed)[0].reason).toBe('closed by the client');
      expect((await openTerminal(socket)).terminal_id).toMatch(/^term_/);
    } finally {
      socket.close();
    }
  });

  it('closes a socket’s terminals when it drops (the remote shell ends)', async () => {
    const socket = await connectSocket(t.baseUrl, { token: phone.token });
    const opened = await openTerminal(socket);
    const reader = new TerminalReader(socket, opened.terminal_id);
    socket.emit('term:input', { terminal_id: opened.terminal_id, data: 'echo PID=$$\r' });
    const pid = Number((await reader.waitFor(/PID=(\d+)\r\n/))[1]);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true);
    socket.disconnect();
    await eventually(`the shell ${pid} to end`, () => !fs.existsSync(`/proc/${pid}`), { timeoutMs: 5000, intervalMs: 20 });
    // All eight slots are free again.
    const again = await connectSocket(t.baseUrl, { token: phone.token });
    try {
      for (let i = 0; i < 8; i += 1) await openTerminal(again);
    } finally {
      again.close();
    }
  });
});

describe('a dying server', () => {
  it('ends the terminal with term:exit saying the session dropped', async () => {
    const doomed = await startSshd();
    let killed = false;
    const socket = await connectSocket(t.baseUrl, { token: phone.token });
    try {
      expect((await t.api('POST', '/ssh/connect?session_id=doomed', connectBody(doomed.port), { token: phone.token })).status).toBe(200);
      const opened = await openTerminal(socket, { session_id: 'doomed' });
      const exited = waitForEvent(socket, 'term:exit', (e) => e.terminal_id === opened.terminal_id);
      killSshdTree(doomed.dir);
      killed = true;
      const [exit] = await exited;
      expect(exit.reason).toMatch(/SSH session dropped/);
    } finally {
      socket.close();
      // stop() waits for an exit that already happened once the process was killed.
      if (!killed) await doomed.stop();
    }
  });
});

describe('backpressure', () => {
  const SPEW_BYTES = 100_000_000;
  // The bridge in its own process, so the RSS measured is the bridge's alone (not the test runner's).
  let child: BridgeChild | undefined;
  afterAll(async () => {
    await child?.stop('SIGKILL');
  });

  const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

  it('keeps the bridge’s memory flat while a terminal spews 100 MB to a socket that does not read', async () => {
    child = await startBridgeChild({ dataDir: makeDataDir() });
    const pid = child.child.pid!;
    const connect = await fetch(`${child.baseUrl}/ssh/connect?session_id=default`, {
      method: 'POST',
      headers: { authorization: `Bearer ${child.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'spew', ...connectBody(sshd.port) }),
    });
    expect(connect.status).toBe(200);
    const socket = await connectSocket(child.baseUrl, { token: child.token });
    try {
      const opened = await openTerminal(socket, { user_id: 'spew' });
      let received = 0;
      let tail = '';
      socket.on('term:data', (payload, ack) => {
        const chunk = Buffer.from(payload.data as Uint8Array);
        received += chunk.length;
        tail = (tail + chunk.toString('latin1')).slice(-1024);
        ack();
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const baseline = rssMiB(pid);

      // Stop reading the TCP connection: no more term:data reaches the client, so no more acks either.
      const tcp = (socket.io.engine.transport as unknown as { ws: { _socket: import('node:net').Socket } }).ws._socket;
      tcp.pause();
      socket.emit('term:input', { terminal_id: opened.terminal_id, data: `head -c ${SPEW_BYTES} /dev/zero | tr '\\0' x; echo; echo SPEW-$((1+1))-DONE\r` });
      let peak = baseline;
      for (let i = 0; i < 20; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        peak = Math.max(peak, rssMiB(pid));
      }
      const receivedWhilePaused = received;

      // Read again: all of it arrives (it was held back at the source, not dropped), memory stays flat.
      tcp.resume();
      await eventually('all of the output', () => {
        peak = Math.max(peak, rssMiB(pid));
        return tail.includes('SPEW-2-DONE');
      }, { timeoutMs: 120_000, intervalMs: 200 });
      expect(receivedWhilePaused).toBeLessThan(4 * 1024 * 1024);
      expect(received).toBeGreaterThan(SPEW_BYTES);
      // Without backpressure the bridge would hold ~100 MB of output (several times that in buffers).
      expect(peak - baseline, `RSS went from ${baseline.toFixed(1)} to ${peak.toFixed(1)} MiB`).toBeLessThan(40);
    } finally {
      socket.close();
    }
  }, 180_000);
});
