// Command latency and throughput: POST /api/terminal/bastion/run against ssh2 alone on an open connection
// (the floor, interleaved round by round), OpenSSH with a ControlMaster socket and a fresh `ssh` per
// command, all on one loopback sshd in one run; then commands/s with 5 sessions x 20 users at once.
// Prints tables, the ratios the issue sets as targets, the HTTP hop alone (GET /healthz, interleaved too),
// the least any HTTP hop costs here (node:http alone in its own process, interleaved too) and the CPU per
// command of the main threads involved.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectSession, fmt, mainThreadCpuMs, opensshOptions, percentile, printTable, rawExec, rawSsh2, run, startHttpFloor, startRig, target, timeSequential } from './ssh-bench-kit.js';

const BRIDGE_RUNS = Number(process.env.BENCH_BRIDGE_RUNS ?? 500);
const CONTROL_RUNS = Number(process.env.BENCH_CONTROL_RUNS ?? 200);
const FRESH_RUNS = Number(process.env.BENCH_FRESH_RUNS ?? 30);
const USERS = 20;
const SESSIONS_PER_USER = 5;
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 10);

async function main(): Promise<void> {
  // At the default log level (info): every command writes its log line and its audit entry, as in use.
  const rig = await startRig({ SSH_MAX_SESSIONS_PER_USER: String(SESSIONS_PER_USER), VIGILINK_LOG_LEVEL: 'info' });
  const httpFloor = await startHttpFloor();
  const ctlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-ctl-'));
  const ssh = opensshOptions(rig);
  const host = `${rig.account.username}@127.0.0.1`;
  try {
    await connectSession(rig, 'bench');
    const runTrue = async (userId: string, sessionId?: string): Promise<void> => {
      const body = await rig.client.ok('POST', '/api/terminal/bastion/run', { user_id: userId, command: 'true', session_id: sessionId });
      if (body.exit_code !== 0) throw new Error(`true exited with ${body.exit_code}`);
    };
    const raw = await rawSsh2(rig);
    // CPU, robust to the load where latencies are not: the bridge's main thread in its own turns and in the
    // HTTP-alone turns, this process's main thread in ssh2's turns (the floor's client alone).
    const bridgePid = rig.bridge.child.pid!;
    const cpu = { bridge: 0, floor: 0, http: 0, bare: 0 };
    const [bridge, floor, httpAlone, bareHttp] = await timeInterleaved(BRIDGE_RUNS, 50, [
      () => cpuOf(bridgePid, (ms) => (cpu.bridge += ms), () => runTrue('bench')),
      () =>
        cpuOf('self', (ms) => (cpu.floor += ms), async () => {
          if ((await rawExec(raw, 'true')) !== 0) throw new Error('true failed over ssh2 alone');
        }),
      // The HTTP hop alone (keep-alive request, auth-free route, JSON answer): what no change to the bridge's code wins back.
      () => cpuOf(bridgePid, (ms) => (cpu.http += ms), () => rig.client.ok('GET', '/healthz')),
      // Any HTTP server at all, on this machine with this client: the part of the hop no bridge can avoid.
      () => cpuOf(httpFloor.pid, (ms) => (cpu.bare += ms), () => httpFloor.client.ok('GET', '/healthz')),
    ]);
    const rounds = BRIDGE_RUNS + 50;
    const cpuPerCommand = { bridge: cpu.bridge / rounds, floor: cpu.floor / rounds, http: cpu.http / rounds, bare: cpu.bare / rounds };
    raw.end();

    const ctl = path.join(ctlDir, 'ctl');
    const master = [...ssh, '-S', ctl, '-o', 'ControlMaster=auto', '-o', 'ControlPersist=120'];
    await run('ssh', [...master, host, 'true']);
    const control = await timeSequential(CONTROL_RUNS, 10, () => run('ssh', [...master, host, 'true']));
    await run('ssh', [...ssh, '-S', ctl, '-O', 'exit', host]).catch(() => undefined);

    const fresh = await timeSequential(FRESH_RUNS, 2, () => run('ssh', [...ssh, host, 'true']));

    const p50 = { bridge: percentile(bridge, 50), control: percentile(control, 50), fresh: percentile(fresh, 50) };
    printTable(
      `Latency of one \`true\` (ms), loopback sshd, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.versions.node}`,
      ['path', 'runs', 'p50', 'p99', 'p50 vs bridge'],
      [
        ['bridge POST /api/terminal/bastion/run', BRIDGE_RUNS, p50.bridge, percentile(bridge, 99), '1x'],
        ['ssh2 alone, exec on an open connection (interleaved)', BRIDGE_RUNS, percentile(floor, 50), percentile(floor, 99), `${fmt(percentile(floor, 50) / p50.bridge)}x`],
        ['HTTP alone, GET /healthz on the bridge (interleaved)', BRIDGE_RUNS, percentile(httpAlone, 50), percentile(httpAlone, 99), `${fmt(percentile(httpAlone, 50) / p50.bridge)}x`],
        ['HTTP floor, node:http alone answering a constant (interleaved)', BRIDGE_RUNS, percentile(bareHttp, 50), percentile(bareHttp, 99), `${fmt(percentile(bareHttp, 50) / p50.bridge)}x`],
        ['ssh -S ctl (ControlMaster)', CONTROL_RUNS, p50.control, percentile(control, 99), `${fmt(p50.control / p50.bridge)}x`],
        ['ssh host true (fresh)', FRESH_RUNS, p50.fresh, percentile(fresh, 99), `${fmt(p50.fresh / p50.bridge)}x`],
      ],
    );

    // Throughput: 20 users x 5 sessions, every session running `true` back to back.
    const users = Array.from({ length: USERS }, (_, i) => `user${i}`);
    const sessionIds = Array.from({ length: SESSIONS_PER_USER }, (_, i) => `s${i}`);
    for (const user of users) {
      await Promise.all(sessionIds.map((id) => connectSession(rig, user, id)));
    }
    let completed = 0;
    const deadline = Date.now() + THROUGHPUT_SECONDS * 1000;
    const started = process.hrtime.bigint();
    await Promise.all(
      users.flatMap((user) =>
        sessionIds.map(async (id) => {
          while (Date.now() < deadline) {
            await runTrue(user, id);
            completed++;
          }
        }),
      ),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    printTable('Throughput, `true` on every session back to back', ['sessions', 'seconds', 'commands', 'commands/s'], [
      [`${USERS} users x ${SESSIONS_PER_USER}`, seconds, completed, completed / seconds],
    ]);

    const overhead = p50.bridge - percentile(floor, 50);
    const pairedDiffs = bridge.map((ms, i) => ms - floor[i]!);
    console.log(`\nbridge p50 - ssh2 alone p50 = ${fmt(overhead)} ms, ratio ${fmt(p50.bridge / percentile(floor, 50))} (${target('<= 0.5 ms', overhead <= 0.5)})`);
    console.log(`median of the per-round differences (bridge - ssh2 alone, same round) = ${fmt(percentile(pairedDiffs, 50))} ms`);
    console.log(`HTTP hop alone (GET /healthz) p50 = ${fmt(percentile(httpAlone, 50))} ms; bridge - ssh2 alone - HTTP alone, per round, median = ${fmt(percentile(bridge.map((ms, i) => ms - floor[i]! - httpAlone[i]!), 50))} ms`);
    console.log(
      `HTTP floor (node:http alone) p50 = ${fmt(percentile(bareHttp, 50))} ms and ${fmt(cpuPerCommand.bare)} ms of its CPU per request: ` +
        `${Math.round((percentile(bareHttp, 50) / 0.5) * 100)}% of the 0.5 ms budget before the bridge does anything besides answering HTTP`,
    );
    console.log(
      `CPU per command (main threads): bridge ${fmt(cpuPerCommand.bridge)} ms; ssh2 alone's client ${fmt(cpuPerCommand.floor)} ms; the bridge for GET /healthz ${fmt(cpuPerCommand.http)} ms; ` +
        `bridge - ssh2 alone = ${fmt(cpuPerCommand.bridge - cpuPerCommand.floor)} ms, of which beyond an HTTP request ${fmt(cpuPerCommand.bridge - cpuPerCommand.floor - cpuPerCommand.http)} ms`,
    );
    console.log(`bridge p50 / ControlMaster p50 = ${fmt(p50.bridge / p50.control)} (${target('<= 0.7', p50.bridge <= 0.7 * p50.control)})`);
    console.log(`fresh ssh p50 / bridge p50 = ${fmt(p50.fresh / p50.bridge)} (${target('>= 10', p50.fresh >= 10 * p50.bridge)})`);
  } finally {
    httpFloor.close();
    await rig.close();
    fs.rmSync(ctlDir, { recursive: true, force: true });
  }
}

/** Run `work`, adding the CPU milliseconds `pid`'s main thread spent meanwhile. */
async function cpuOf(pid: number | 'self', add: (ms: number) => void, work: () => Promise<unknown>): Promise<void> {
  const before = mainThreadCpuMs(pid);
  await work();
  add(mainThreadCpuMs(pid) - before);
}

/** The paths take turns round by round (each round in another order), so all see the same machine load; milliseconds each. */
async function timeInterleaved<const P extends ReadonlyArray<() => Promise<unknown>>>(n: number, warmup: number, paths: P): Promise<{ [K in keyof P]: number[] }> {
  const times = paths.map((): number[] => []);
  for (let i = 0; i < n + warmup; i++) {
    for (let j = 0; j < paths.length; j++) {
      const which = (i + j) % paths.length;
      const start = process.hrtime.bigint();
      await paths[which]!();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (i >= warmup) times[which]!.push(ms);
    }
  }
  return times as { [K in keyof P]: number[] };
}

await main();
