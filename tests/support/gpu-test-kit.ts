// Shared pieces of the GPU integration tests: a real sshd whose account runs the fake nvidia-smi (or
// none), a real bridge, SSH sessions opened through the API, owner sockets, and polling for a condition.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { TestAccount } from './test-account.js';
import { startSshd, type Sshd } from './sshd.js';
import type { TestBridge } from './bridge.js';
import { connectSocket, type ClientSocket } from './live-client.js';
import { installFakeNvidiaSmi, type FakeNvidiaSmi } from '../fixtures/fake-nvidia-smi/install.js';

export interface GpuHost {
  sshd: Sshd;
  /** null: this host has no nvidia-smi at all. */
  fake: FakeNvidiaSmi | null;
  stop(): Promise<void>;
}

/** An sshd whose sessions find the fake nvidia-smi first on their PATH (withFake false: no nvidia-smi anywhere on it). */
export async function startGpuHost(withFake = true): Promise<GpuHost> {
  const fake = withFake ? installFakeNvidiaSmi() : null;
  const sshd = await startSshd({ extraConfig: fake ? fake.sshdConfig() : ['SetEnv PATH=/usr/bin:/bin'] });
  return {
    sshd,
    fake,
    stop: async () => {
      await sshd.stop();
      fake?.remove();
    },
  };
}

/** Open session `sessionId` for `userId` on `host` through the bridge's API (key auth as the test account). */
export async function connectSession(t: TestBridge, account: TestAccount, host: GpuHost, userId: string, sessionId: string): Promise<void> {
  const res = await t.api('POST', `/ssh/connect?session_id=${sessionId}`, {
    user_id: userId,
    hostname: '127.0.0.1',
    port: host.sshd.port,
    username: account.username,
    private_key: account.privateKey,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** An owner socket that also receives `userId`'s per-user events (state, alerts). */
export function ownerSocket(t: TestBridge, userId: string): Promise<ClientSocket> {
  return connectSocket(t.baseUrl, { token: t.token, user_id: userId });
}

/** Poll until `check` returns a value (not undefined/false), or fail saying what was awaited. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(100);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A long-running process of the test account standing in for a GPU job (ps must name its owner). setpriv execs: the pid is the job's. */
export function accountProcess(username: string): ChildProcess {
  return spawn('setpriv', [`--reuid=${username}`, `--regid=${username}`, '--clear-groups', 'sleep', '300'], { stdio: 'ignore' });
}

/** Processes of the test account running the fake (a hung nvidia-smi must not outlive its sample). */
export function fakeProcesses(fake: FakeNvidiaSmi): number[] {
  try {
    return execFileSync('pgrep', ['-f', fake.dir]).toString().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Where the sample script looks for nvidia-smi besides the PATH; the "no nvidia-smi" cases need none there. */
export function localNvidiaSmi(): string {
  return execFileSync('/bin/sh', ['-c', 'PATH=/usr/bin:/bin:/usr/local/bin:/usr/local/nvidia/bin:/usr/lib/wsl/lib command -v nvidia-smi || true']).toString().trim();
}
