// GpuService sampling the user's VPN container (`@container`) through the VPN module's seam, with that
// seam stubbed: the stub container target runs each command in a local /bin/bash with the fake
// nvidia-smi, so the real script, parser and poller run; only Docker is left out.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FiredAlert, GpuSnapshot } from '../../../bridge/contracts/gpu.js';
import type { ContainerPort } from '../../../bridge/core/container-port.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { GpuAlerts } from '../../../bridge/gpu/gpu-alerts.js';
import { GpuService } from '../../../bridge/gpu/gpu.service.js';
import type { ExecResult } from '../../../bridge/core/exec.js';
import { HostKeyStore } from '../../../bridge/ssh/host-keys.js';
import { PrivateKeyParser } from '../../../bridge/ssh/private-key-parser.js';
import { SshSessionService } from '../../../bridge/ssh/ssh-sessions.js';
import { SshTargetPolicy, systemNetwork } from '../../../bridge/ssh/ssh-target-policy.js';
import { ConnsStore } from '../../../bridge/store/conns-store.js';
import { eventually } from '../../support/eventually.js';
import { installFakeNvidiaSmi, type FakeNvidiaSmi } from '../../fixtures/fake-nvidia-smi/install.js';

const CONTAINER_ID = '3f1c0ffee0ddba11deadbeef00112233';
let fake: FakeNvidiaSmi;
let dataDir: string;
let service: GpuService | null = null;

beforeAll(() => {
  fake = installFakeNvidiaSmi();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-gpu-service-'));
});
afterEach(async () => {
  await service?.close();
  service = null;
});
afterAll(() => {
  fake?.remove();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The stubbed seam: which user has a container, and exec = a local shell with the fake on PATH. */
function stubContainers(owners: Record<string, string>): ContainerPort & { execs: string[] } {
  const execs: string[] = [];
  return {
    execs,
    containerFor: (userId) => owners[userId] ?? null,
    files: () => null,
    openShell: async () => null,
    openStream: async () => null,
    exec: (containerId, command, options) =>
      new Promise<ExecResult>((resolve) => {
        execs.push(containerId);
        execFile(
          '/bin/bash',
          ['--norc', '-c', command],
          { env: { PATH: `${fake.binDir}:/usr/bin:/bin`, FAKE_NVIDIA_SMI_CONTROL: `${fake.dir}/control.json` }, timeout: options.timeoutMs, encoding: 'buffer' },
          (error, stdout, stderr) => {
            const err = error as (Error & { code?: number; killed?: boolean }) | null;
            resolve({ stdout, stderr, exitCode: typeof err?.code === 'number' ? err.code : 0, signal: null, timedOut: Boolean(err?.killed), truncated: false });
          },
        );
      }),
  };
}

function makeService(containers: ContainerPort | null, alerts: FiredAlert[] = []): GpuService {
  const logger = createLogger({ level: 'silent' });
  const sessions = new SshSessionService({
    store: new ConnsStore(dataDir),
    hostKeys: new HostKeyStore(dataDir),
    logger,
    maxSessionsPerUser: 5,
    maxChannelsPerConnection: 8,
    channelsReservedForCommands: 2,
    channelWaitMs: 30_000,
    connectTimeoutMs: 5000,
    keepaliveIntervalMs: 15_000,
    keyParser: new PrivateKeyParser({ maxKdfRounds: 1024, timeoutMs: 5000 }),
    targetPolicy: new SshTargetPolicy({ allowDeviceLocalTargets: false, network: systemNetwork }),
    containers,
  });
  service = new GpuService({
    sessions,
    containers,
    alerts: new GpuAlerts(dataDir),
    logger,
    sampleTimeoutMs: 10_000,
    ruleIntervalMs: 300,
    onAlert: (alert) => alerts.push(alert),
    onStateChange: () => undefined,
  });
  return service;
}

describe('GPUs inside the VPN container', () => {
  it('404 in plain words without the VPN module or without a container', async () => {
    await expect(makeService(null).snapshot('alice', '@container')).rejects.toMatchObject({ kind: 'not_found', message: 'This bridge runs no VPN containers, so there is no container to sample' });
    await expect(makeService(stubContainers({})).snapshot('alice', '@container')).rejects.toMatchObject({
      kind: 'not_found',
      message: "User 'alice' has no VPN container: connect the VPN first",
    });
  });

  it('samples inside the user\'s container: same typed result, host names the container', async () => {
    fake.set({ capture: 'xml-gtx1080-2gpu-procs-a0s.xml' });
    const containers = stubContainers({ alice: CONTAINER_ID });
    const snapshot = await makeService(containers).snapshot('alice', '@container');
    expect(containers.execs).toEqual([CONTAINER_ID]);
    expect(snapshot).toMatchObject({ user_id: 'alice', session_id: '@container', host: 'vpn container 3f1c0ffee0dd', stale: false, source: 'query' });
    expect(snapshot.gpus.map((g) => [g.index, g.name, g.memory_used_mib, g.processes.map((p) => p.pid)])).toEqual([
      [0, 'GeForce GTX 1080', 2900, [8991]],
      [1, 'GeForce GTX 1080', 2893, [8991]],
    ]);
  });

  it('watches and alert rules work on the container like on a session', async () => {
    fake.set({ capture: 'xml-rtx3080-v13-595-telegraf.xml' });
    const alerts: FiredAlert[] = [];
    const gpu = makeService(stubContainers({ alice: CONTAINER_ID }), alerts);
    await gpu.addRule('alice', { kind: 'memory_freed', session_id: '@container', gpu_index: 0, below_mib: 2000 });
    const seen: GpuSnapshot[] = [];
    const ack = await gpu.watch('alice', '@container', 'socket-1', 500, (s) => seen.push(s));
    expect(ack).toMatchObject({ session_id: '@container', interval_ms: 500 });
    await eventually('a sample of the busy capture', () => seen.some((s) => s.gpus[0]?.memory_used_mib === 9184), 15_000);
    gpu.unwatch('alice', '@container', 'socket-1');
    expect(gpu.watchStatus('alice').sessions).toEqual([expect.objectContaining({ session_id: '@container', watchers: 0, rules: 1, polling: true })]);
    fake.set({ capture: 'xml-rtx3080-v12-5procs-long-cmdline-telegraf.xml' });
    await eventually('an alert', () => alerts.length > 0, 15_000);
    expect(alerts[0]).toMatchObject({ session_id: '@container', host: 'vpn container 3f1c0ffee0dd', kind: 'memory_freed', value: 1128 });
  });
});

