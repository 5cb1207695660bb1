// A hostile encrypted key (bcrypt rounds far past the cap) is a 400 within a second and never stalls the
// bridge's event loop, as a private key or a jump host's; the tests' real encrypted key still connects.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from './helpers/bridge.js';
import { startSshd, type Sshd } from './helpers/sshd.js';
import { connectBody } from './ssh-test-kit.js';
import { withKdfRounds } from '../fixtures/ssh-keys/kdf-rounds.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;

beforeAll(async () => {
  sshd = await startSshd();
  t = await startBridge();
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

/** The answer, how long it took, and the event loop's worst stall meanwhile (the bridge runs in this process). */
async function timedConnect(body: Record<string, unknown>): Promise<{ status: number; detail: string; ms: number; maxStallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = performance.now();
  const res = await t.api('POST', '/ssh/connect?session_id=kdf', body);
  const ms = performance.now() - started;
  // One more turn of the loop so a stall at the very end is sampled too.
  await new Promise((resolve) => setTimeout(resolve, 30));
  histogram.disable();
  return { status: res.status, detail: String(res.body?.detail), ms, maxStallMs: histogram.max / 1e6 };
}

// Old code ran all of these rounds on the event loop (minutes here); 2^32 - 1 would take days.
const HOSTILE_ROUNDS = 8192;

describe('encrypted keys asking for too many bcrypt rounds', () => {
  it('refuses a hostile private_key with 400 within a second, the event loop never stalled', async () => {
    const hostile = withKdfRounds(account.encryptedPrivateKey, HOSTILE_ROUNDS);
    const answer = await timedConnect(connectBody(sshd, account, { password: undefined, private_key: hostile, passphrase: account.keyPassphrase }));
    expect(answer.status).toBe(400);
    expect(answer.detail).toMatch(/^private_key: .*8192 bcrypt rounds.*SSH_KEY_MAX_KDF_ROUNDS/);
    expect(answer.ms).toBeLessThan(1000);
    expect(answer.maxStallMs).toBeLessThan(500);
  });

  it('refuses a hostile jump.private_key the same way', async () => {
    const hostile = withKdfRounds(account.encryptedPrivateKey, HOSTILE_ROUNDS);
    const jump = { hostname: '127.0.0.1', port: sshd.port, username: account.username, private_key: hostile, passphrase: account.keyPassphrase };
    const answer = await timedConnect(connectBody(sshd, account, { jump }));
    expect(answer.status).toBe(400);
    expect(answer.detail).toMatch(/^jump\.private_key: .*8192 bcrypt rounds/);
    expect(answer.ms).toBeLessThan(1000);
    expect(answer.maxStallMs).toBeLessThan(500);
  });

  it('still connects with the real encrypted key (ssh-keygen’s 16 rounds)', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=real', connectBody(sshd, account, { password: undefined, private_key: account.encryptedPrivateKey, passphrase: account.keyPassphrase }));
    expect(res.status).toBe(200);
    expect(res.body.host_key_fingerprint).toBe(sshd.hostKeyFingerprint);
  });
});
