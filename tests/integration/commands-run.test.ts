// POST /api/terminal/bastion/run against a real sshd: one connection for many commands, a burst past
// MaxSessions, timeouts with partial output, capped output with flat memory, and local execution only
// when allowed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, makeDataDir, type TestBridge } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { startBridgeChild } from '../support/server-child.js';
import { connectBody } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';
import { pairDevice } from '../support/live-client.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;

const run = (body: Record<string, unknown>, bridge: TestBridge = t) => bridge.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', ...body });
const channelsInUse = (sessionId = 'default') => t.bridge.context.sessions.find('alice', sessionId)?.channelsInUse;

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge();
  const res = await t.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

describe('one connection per session', () => {
  it('runs 50 commands on the one TCP connection the session opened', async () => {
    const before = sshd.connectionCount();
    for (let i = 0; i < 50; i++) {
      const res = await run({ command: `echo ${i}` });
      expect(res.body.stdout).toBe(`${i}\n`);
    }
    expect(sshd.connectionCount() - before).toBe(0);
    expect(channelsInUse()).toBe(0);
  });

  it('runs a burst of 100 concurrent commands past the server MaxSessions 10, all succeeding', async () => {
    const before = sshd.connectionCount();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => run({ command: `sleep 0.05; echo ${i}` })));
    results.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ stdout: `${i}\n`, exit_code: 0 });
    });
    expect(sshd.connectionCount() - before).toBe(0);
    expect(channelsInUse()).toBe(0);
  });
});

describe('results', () => {
  it('reports a command killed by a signal', async () => {
    const res = await run({ command: 'kill -TERM $$' });
    expect(res.body).toMatchObject({ exit_code: null, signal: 'SIGTERM', timed_out: false });
  });

  it('returns 200 with timed_out, exit_code null and the output so far, and closes the channel', async () => {
    const marker = `vl-timeout-${process.pid}`;
    const started = Date.now();
    const res = await run({ command: `echo start; echo err >&2; exec -a ${marker} sleep 30; echo end`, timeout: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stdout: 'start\n', stderr: 'err\n', exit_code: null, timed_out: true, truncated: false });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(channelsInUse()).toBe(0);
    // The remote command was killed, not left behind.
    await eventually('the remote sleep to be gone', () => !fs.readdirSync('/proc').some((pid) => /^\d+$/.test(pid) && cmdline(pid).startsWith(marker)));
  });

  it('answers 400 naming the field for bad input', async () => {
    expect((await run({ command: '' })).body.detail).toMatch(/^command: /);
    expect((await run({ command: 'true', timeout: 0 })).body.detail).toMatch(/^timeout: /);
    expect((await run({ command: 'true', timeout: 'soon' })).body.detail).toMatch(/^timeout: /);
  });

  it('uses session "default" without session_id, else the most recently connected one', async () => {
    const t2 = await startBridge();
    try {
      const whichConnection = async (sessionId?: string) => (await run({ user_id: 'u', command: 'echo $SSH_CONNECTION', ...(sessionId ? { session_id: sessionId } : {}) }, t2)).body.stdout;
      await t2.api('POST', '/ssh/connect?session_id=a', connectBody(sshd, account, { user_id: 'u' }));
      await t2.api('POST', '/ssh/connect?session_id=b', connectBody(sshd, account, { user_id: 'u' }));
      expect(await whichConnection()).toBe(await whichConnection('b'));
      expect(await whichConnection('a')).not.toBe(await whichConnection('b'));
      await t2.api('POST', '/ssh/connect?session_id=default', connectBody(sshd, account, { user_id: 'u' }));
      await t2.api('POST', '/ssh/connect?session_id=c', connectBody(sshd, account, { user_id: 'u' }));
      expect(await whichConnection()).toBe(await whichConnection('default'));
    } finally {
      await t2.close();
    }
  });

  it('answers 404 when the user has no session, or the named one does not exist', async () => {
    const none = await run({ user_id: 'nobody', command: 'true' });
    expect(none.status).toBe(404);
    expect(none.body.detail).toBe("User 'nobody' has no active SSH session: connect one first");
    const named = await run({ session_id: 'missing', command: 'true' });
    expect(named.status).toBe(404);
    expect(named.body.detail).toBe("No SSH session 'missing' for user 'alice'");
  });
});

describe('local execution (VIGILINK_ALLOW_LOCAL_EXEC)', () => {
  it('never runs on the workstation when off', async () => {
    const marker = path.join(os.tmpdir(), `vl-local-${process.pid}-off`);
    const res = await run({ user_id: 'nobody', command: `touch ${marker}` });
    expect(res.status).toBe(404);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('runs on the workstation when on and the user has no session', async () => {
    const local = await startBridge({ VIGILINK_ALLOW_LOCAL_EXEC: '1' });
    try {
      const res = await run({ user_id: 'nobody', command: 'echo $((6*7)); cat /proc/sys/kernel/hostname; exit 4' }, local);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ stdout: `42\n${fs.readFileSync('/proc/sys/kernel/hostname', 'utf8')}`, exit_code: 4, container_id: null, timed_out: false });
      const timedOut = await run({ user_id: 'nobody', command: 'echo early; sleep 30', timeout: 0.5 }, local);
      expect(timedOut.body).toMatchObject({ stdout: 'early\n', timed_out: true, exit_code: null });
      // A named session that does not exist is still 404: local execution is only the last resort.
      expect((await run({ user_id: 'nobody', session_id: 'x', command: 'true' }, local)).status).toBe(404);
    } finally {
      await local.close();
    }
  });

  it('never runs on the workstation for a paired device, even when on', async () => {
    const local = await startBridge({ VIGILINK_ALLOW_LOCAL_EXEC: '1' });
    try {
      const phone = await pairDevice(local, 'nobody');
      const marker = path.join(os.tmpdir(), `vl-local-${process.pid}-device`);
      const res = await local.api('POST', '/api/terminal/bastion/run', { command: `touch ${marker}` }, { token: phone.token });
      // Answered exactly as with local execution off: the user has no session.
      expect(res.status).toBe(404);
      expect(res.body.detail).toBe("User 'nobody' has no active SSH session: connect one first");
      expect(fs.existsSync(marker)).toBe(false);
    } finally {
      await local.close();
    }
  });
});

describe('output cap', () => {
  const FIFTY_MIB = 50 * 1024 * 1024;
  const bigOutput = `head -c ${FIFTY_MIB} /dev/zero | tr "\\0" x; head -c 3000000 /dev/zero >&2`;

  /** Peak RSS growth (MiB) of a bridge process over one run of `bigOutput`, after a smaller warm-up run. */
  async function peakGrowth(env: Record<string, string>, check: (body: any) => void): Promise<number> {
    const dataDir = makeDataDir();
    const child = await startBridgeChild({ dataDir, env });
    try {
      const api = async (route: string, body: unknown) => {
        const res = await fetch(child.baseUrl + route, {
          method: 'POST',
          headers: { authorization: `Bearer ${child.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      expect((await api('/ssh/connect', connectBody(sshd, account))).status).toBe(200);
      await api('/api/terminal/bastion/run', { user_id: 'alice', command: 'head -c 4194304 /dev/zero' });
      const before = peakRssMiB(child.child.pid!);
      const res = await api('/api/terminal/bastion/run', { user_id: 'alice', command: bigOutput, timeout: 120 });
      expect(res.status).toBe(200);
      check(res.body);
      return peakRssMiB(child.child.pid!) - before;
    } finally {
      expect(await child.stop()).toBe(0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('keeps COMMAND_OUTPUT_LIMIT_BYTES of a 50 MiB output, sets truncated, and the bridge memory stays flat', async () => {
    const capped = await peakGrowth({}, (body) => {
      expect(body).toMatchObject({ exit_code: 0, truncated: true, timed_out: false });
      expect(body.stdout).toBe('x'.repeat(1024 * 1024));
      expect(body.stderr.length).toBe(1024 * 1024);
    });
    // Control, so the measure is known to see buffering: with the cap above the output, all of it is kept.
    const kept = await peakGrowth({ COMMAND_OUTPUT_LIMIT_BYTES: String(2 * FIFTY_MIB) }, (body) => {
      expect(body).toMatchObject({ exit_code: 0, truncated: false });
      expect(body.stdout.length).toBe(FIFTY_MIB);
    });
    // What remains of the capped run is garbage awaiting collection (Buffers freed by GC), not retained output.
    expect(kept).toBeGreaterThan(50);
    expect(capped).toBeLessThan(50);
    expect(capped * 2).toBeLessThan(kept);
  });
});

function cmdline(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** VmHWM: the most resident memory the process ever had, in MiB. */
function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}
