// Shared pieces of the GPU integration tests: a real sshd whose account runs the fake nvidia-smi (or
// none), a real bridge, SSH sessions opened through the API, owner sockets, and waits on the fake's calls.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'vitest';
import { GPU_MIN_INTERVAL_MS } from '../../bridge/contracts/gpu.js';
import { eventually } from './eventually.js';
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

/** Only for a fixed window the test observes (a rate, or no sample after unwatch); to wait for something, use eventually. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The bridge stamps a sample when its answer is back, a little after the fake's last call ended.
const ANSWER_TRIP_MS = 100;

/**
 * Wait until the host's last sample is older than GPU_MIN_INTERVAL_MS, so that the next GET samples the host
 * afresh instead of answering from that sample.
 */
export async function untilLastSampleIsOld(fake: FakeNvidiaSmi): Promise<void> {
  await eventually(`the last GPU sample to be older than ${GPU_MIN_INTERVAL_MS} ms`, () => {
    const ends = fake.calls().map((call) => call.end);
    return ends.every((end) => end !== null && Date.now() - end > GPU_MIN_INTERVAL_MS + ANSWER_TRIP_MS);
  });
}

/** Wait until a process the test started has exec'd its program (`comm` as ps shows it). */
export async function untilRunning(child: ChildProcess, comm: string): Promise<void> {
  await eventually(`process ${child.pid} to run ${comm}`, () => {
    try {
      return fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}

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
