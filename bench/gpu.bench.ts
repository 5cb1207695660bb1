// GPU sampling: one sample's round trip through the bridge (GET /api/gpu) against the same command through
// an OpenSSH ControlMaster connection, in one run on one loopback sshd; then the bridge process's CPU
// with 100 sessions (20 users x 5) watched over socket.io at the default interval: nvidia-smi's loop
// mode (the default for watched sessions), one exec per sample (hosts without loop mode), and the XML
// fallback (drivers that reject a CSV field) by exec and in loop mode. The host plays an 8-GPU node (a real V100S capture) with a shell fake that
// prints pre-rendered answers, so the host's own cost stays small and the figures are the bridge's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { GpuSnapshot } from '../bridge/contracts/gpu.js';
import { sampleCommand } from '../bridge/gpu/gpu-sample.script.js';
import { startSshd } from '../tests/support/sshd.js';
import { ensureTestAccount, FIXTURE_DIR } from '../tests/support/test-account.js';
import { startBridgeChild } from '../tests/support/server-child.js';
import { installFakeNvidiaSmi } from '../tests/fixtures/fake-nvidia-smi/install.js';
import { installShellFake } from './shell-nvidia-smi.js';
import { fmt, JsonClient, opensshOptions, percentile, printTable, run, target, timeMs, type BenchRig } from './ssh-bench-kit.js';

const CAPTURE = 'xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml';
const ROUND_TRIPS = Number(process.env.BENCH_GPU_ROUND_TRIPS ?? 30);
const USERS = 20;
const SESSIONS_PER_USER = 5;
const CPU_SECONDS = Number(process.env.BENCH_GPU_CPU_SECONDS ?? 30);
const XML_CPU_SECONDS = Number(process.env.BENCH_GPU_XML_CPU_SECONDS ?? 20);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** CPU seconds (user, system) the process has used, from /proc. */
function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

async function main(): Promise<void> {
  const account = ensureTestAccount(FIXTURE_DIR);
  const nodeFake = installFakeNvidiaSmi();
  nodeFake.set({ capture: CAPTURE });
  const fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-nvsmi-'));
  fs.chmodSync(fakeDir, 0o755);
  const shellFake = installShellFake(fakeDir, nodeFake);
  const sshd = await startSshd({ extraConfig: [`SetEnv PATH=${fakeDir}:/usr/bin:/bin`] });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-'));
  // BENCH_BRIDGE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the bridge process alone.
  const nodeArgs = process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const bridge = await startBridgeChild({ dataDir, env: { SSH_MAX_SESSIONS_PER_USER: String(SESSIONS_PER_USER) }, nodeArgs });
  const client = new JsonClient(bridge.baseUrl, bridge.token);
  const ctlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-ctl-'));
  const sockets: Socket[] = [];
  try {
    const connect = (userId: string, sessionId: string) =>
      client.ok('POST', `/ssh/connect?session_id=${sessionId}`, {
        user_id: userId,
        hostname: '127.0.0.1',
        port: sshd.port,
        username: account.username,
        private_key: account.privateKey,
      });

    // 1. One sample's round trip, the two paths taking turns so both see the same machine load.
    // GET /api/gpu samples afresh when the session's last sample is over 500 ms old.
    await connect('bench', 'default');
    // opensshOptions reads only the account's key and the sshd's port.
    const ssh = opensshOptions({ account, sshd } as unknown as BenchRig);
    const host = `${account.username}@127.0.0.1`;
    const ctl = path.join(ctlDir, 'ctl');
    const master = [...ssh, '-S', ctl, '-o', 'ControlMaster=auto', '-o', 'ControlPersist=120'];
    const command = sampleCommand({ mode: 'query', timeoutSeconds: 10 });
    await run('ssh', [...master, host, 'true']);
    const bridgeTrips: number[] = [];
    const controlTrips: number[] = [];
    for (let i = 0; i < ROUND_TRIPS + 3; i++) {
      await sleep(550);
      const bridgeMs = await timeMs(async () => {
        const body = (await client.ok('GET', '/api/gpu?user_id=bench&session_id=default')) as GpuSnapshot;
        if (body.gpus.length !== 8 || body.source !== 'query' || body.stale) throw new Error(`unexpected sample: ${JSON.stringify(body).slice(0, 300)}`);
      });
      const controlMs = await timeMs(async () => {
        const out = await run('ssh', [...master, host, command]);
        if (!out.includes(' end 0')) throw new Error('the sample script did not finish over ControlMaster');
      });
      // The first three warm up (JIT, first channels).
      if (i >= 3) {
        bridgeTrips.push(bridgeMs);
        controlTrips.push(controlMs);
      }
    }
    await run('ssh', [...ssh, '-S', ctl, '-O', 'exit', host]).catch(() => undefined);
    const p50 = { bridge: percentile(bridgeTrips, 50), control: percentile(controlTrips, 50) };
    printTable(
      `One GPU sample of an 8-GPU host (ms), loopback sshd, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.versions.node}`,
      ['path', 'runs', 'p50', 'p90', 'max', 'p50 vs bridge'],
      [
        ['bridge GET /api/gpu (exec + parse + JSON)', ROUND_TRIPS, p50.bridge, percentile(bridgeTrips, 90), Math.max(...bridgeTrips), '1x'],
        ['ssh -S ctl <same script> (ControlMaster)', ROUND_TRIPS, p50.control, percentile(controlTrips, 90), Math.max(...controlTrips), `${fmt(p50.control / p50.bridge)}x`],
      ],
    );

    // 2. CPU of the bridge process with 100 sessions watched at the default interval.
    const users = Array.from({ length: USERS }, (_, i) => `user${i}`);
    const sessionIds = Array.from({ length: SESSIONS_PER_USER }, (_, i) => `s${i}`);
    for (const user of users) await Promise.all(sessionIds.map((id) => connect(user, id)));
    const pid = bridge.child.pid!;
    const idle = await measure(pid, 10, () => 0);
    let events = 0;
    let staleOrError = 0;
    for (const user of users) {
      const socket = io(bridge.baseUrl, { auth: { token: bridge.token }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
      socket.on('gpu', (snapshot: GpuSnapshot) => {
        events++;
        if (snapshot.stale || snapshot.error || snapshot.gpus.length !== 8) staleOrError++;
      });
      for (const id of sessionIds) {
        await new Promise<void>((resolve, reject) =>
          socket.emit('gpu:watch', { user_id: user, session_id: id }, (ack: { ok: boolean }) => (ack.ok ? resolve() : reject(new Error(JSON.stringify(ack))))),
        );
      }
    }
    const rewatch = async (): Promise<void> => {
      for (const [i, socket] of sockets.entries()) {
        for (const id of sessionIds) {
          const payload = { user_id: users[i], session_id: id };
          await new Promise<void>((resolve) => socket.emit('gpu:unwatch', payload, () => resolve()));
          await new Promise<void>((resolve) => socket.emit('gpu:watch', payload, () => resolve()));
        }
      }
    };
    await sleep(5000);
    const watchedLoop = await measure(pid, CPU_SECONDS, () => events);
    // Hosts without loop mode: re-watch so every session's loop is tried again, refused, and sampled by exec.
    shellFake.rejectLoop(true);
    await rewatch();
    await sleep(5000);
    const watched = await measure(pid, CPU_SECONDS, () => events);
    shellFake.rejectQueries(true);
    await sleep(5000);
    const watchedXml = await measure(pid, XML_CPU_SECONDS, () => events);
    // The XML fallback on a host with loop mode: re-watch so every session starts its -q -x loop.
    shellFake.rejectLoop(false);
    await rewatch();
    await sleep(5000);
    const watchedXmlLoop = await measure(pid, XML_CPU_SECONDS, () => events);

    const sessions = USERS * SESSIONS_PER_USER;
    const row = (label: string, m: Measured) => [label, m.seconds, m.rate, m.percent, m.perSampleMs, `${Math.round(m.systemShare * 100)}%`];
    printTable(
      `Bridge process CPU, ${sessions} sessions (${USERS} users x ${SESSIONS_PER_USER}) on one loopback sshd, 8 GPUs each`,
      ['phase', 'seconds', 'samples/s', 'CPU % of one core', 'CPU ms per sample', 'kernel share'],
      [
        ['connected, nobody watching', idle.seconds, 0, idle.percent, '-', '-'],
        row('watched at 2000 ms, CSV in loop mode (one nvidia-smi per query)', watchedLoop),
        row('watched at 2000 ms, CSV, one exec per sample (no loop mode)', watched),
        row('watched at 2000 ms, XML fallback, one exec per sample (-q -x, 228 KB cut to 6 KB)', watchedXml),
        row('watched at 2000 ms, XML fallback in loop mode (-q -x -lms, cut by awk)', watchedXmlLoop),
      ],
    );
    console.log(`\n${staleOrError} of ${events} gpu events were stale or in error`);
    console.log(`expected samples/s at the default interval: ${sessions / 2}`);
    console.log(`\nbridge p50 / ControlMaster p50 = ${fmt(p50.bridge / p50.control)} (${target('<= 1 (not slower)', p50.bridge <= p50.control)})`);
    console.log(`CPU with ${sessions} watched sessions, CSV loop mode = ${fmt(watchedLoop.percent)}% of one core (${target('< 5%', watchedLoop.percent < 5)})`);
    console.log(`CPU with ${sessions} watched sessions, CSV exec per sample = ${fmt(watched.percent)}% of one core (${target('< 5%', watched.percent < 5)})`);
    console.log(`CPU with ${sessions} watched sessions, XML fallback by exec = ${fmt(watchedXml.percent)}% of one core (${target('< 5%', watchedXml.percent < 5)})`);
    console.log(`CPU with ${sessions} watched sessions, XML fallback in loop mode = ${fmt(watchedXmlLoop.percent)}% of one core (${target('< 5%', watchedXmlLoop.percent < 5)})`);
  } finally {
    for (const socket of sockets) socket.close();
    client.close();
    await bridge.stop();
    await sshd.stop();
    nodeFake.remove();
    for (const dir of [fakeDir, dataDir, ctlDir]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Measured {
  seconds: number;
  rate: number;
  percent: number;
  perSampleMs: number;
  /** Share of the CPU spent in the kernel (on loopback it includes the receiving side of the sshd's and sockets' TCP). */
  systemShare: number;
}

async function measure(pid: number, seconds: number, count: () => number): Promise<Measured> {
  const cpu0 = cpuSeconds(pid);
  const n0 = count();
  const t0 = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuSeconds(pid);
  const user = cpu1.user - cpu0.user;
  const system = cpu1.system - cpu0.system;
  const samples = count() - n0;
  const cpu = user + system;
  return { seconds: wall, rate: samples / wall, percent: (cpu / wall) * 100, perSampleMs: samples ? (cpu * 1000) / samples : 0, systemShare: cpu ? system / cpu : 0 };
}

await main();
