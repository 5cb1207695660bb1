// 200 commands at once on one session: the bridge (POST /api/terminal/bastion/run, 200 concurrent
// keep-alive requests) against the same burst through ssh2 alone on one connection with the same channel
// limit (8 open at a time, FIFO), the two taking turns round by round; and 200 concurrent GET /healthz,
// the HTTP part alone (what the bridge's queue cannot win back), and 200 concurrent requests to node:http
// alone (any HTTP server's share). Prints total and per-command times, the CPU per command of the main
// thread doing the work (robust to a loaded machine where times are not), and the whole machine's CPU per
// command (/proc/stat, every process: client, bridge, sshd and the shells it starts): on a machine whose
// cores the burst keeps busy, that is what sets the burst's length.
import os from 'node:os';
import type { Client } from 'ssh2';
import { connectSession, fmt, machineBusyMs, mainThreadCpuMs, percentile, printTable, rawSsh2, startHttpFloor, startRig, target } from './ssh-bench-kit.js';

const BURST = Number(process.env.BENCH_BURST ?? 200);
const ROUNDS = Number(process.env.BENCH_BURST_ROUNDS ?? 6);
const CHANNELS = 8;

interface Burst {
  totalMs: number;
  /** Each command's time from the start of the burst to its answer. */
  latencies: number[];
  /** CPU milliseconds of the main thread that does the work (the bridge's, or this process's for ssh2 alone), per command. */
  cpuPerCommandMs: number;
  /** CPU milliseconds of the whole machine (all cores, all processes), per command. */
  machineCpuPerCommandMs: number;
  /** How busy the machine's cores were during the burst, 0 to 1. */
  machineBusy: number;
}

async function burst(n: number, cpuPid: number | 'self', once: (i: number) => Promise<void>): Promise<Burst> {
  const cpu0 = mainThreadCpuMs(cpuPid);
  const machine0 = machineBusyMs();
  const start = process.hrtime.bigint();
  const since = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  const latencies = await Promise.all(Array.from({ length: n }, (_, i) => once(i).then(since)));
  const totalMs = since();
  const machineMs = machineBusyMs() - machine0;
  return { totalMs, latencies, cpuPerCommandMs: (mainThreadCpuMs(cpuPid) - cpu0) / n, machineCpuPerCommandMs: machineMs / n, machineBusy: machineMs / (totalMs * os.cpus().length) };
}

/** ssh2 alone: at most CHANNELS channels at once, the next command starting as one closes. */
function rawBurst(client: Client): Promise<Burst> {
  let open = 0;
  const queue: Array<() => void> = [];
  const slot = (): Promise<void> => (open < CHANNELS ? (open++, Promise.resolve()) : new Promise<void>((resolve) => queue.push(resolve)));
  const free = (): void => {
    const next = queue.shift();
    if (next) next();
    else open--;
  };
  return burst(BURST, 'self', async () => {
    await slot();
    try {
      await execRetrying(client, 'true');
    } finally {
      free();
    }
  });
}

/** sshd may refuse an open right after a burst of closes (it frees the place a moment later): retry as the bridge does. */
function execRetrying(client: Client, command: string, attempt = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        if (attempt >= 6) return reject(error);
        setTimeout(() => execRetrying(client, command, attempt + 1).then(resolve, reject), 5 * 2 ** attempt);
        return;
      }
      let code: number | null = null;
      channel.on('exit', (exitCode: number | null) => (code = exitCode));
      channel.resume();
      channel.stderr.resume();
      channel.on('close', () => (code === 0 ? resolve() : reject(new Error(`true exited with ${code}`))));
    });
  });
}

async function main(): Promise<void> {
  const rig = await startRig({ SSH_MAX_CHANNELS_PER_CONNECTION: String(CHANNELS), VIGILINK_LOG_LEVEL: 'info' });
  const httpFloor = await startHttpFloor();
  try {
    await connectSession(rig, 'burst');
    const raw = await rawSsh2(rig);
    const bridgePid = rig.bridge.child.pid!;
    const bridgeBurst = (): Promise<Burst> =>
      burst(BURST, bridgePid, async () => {
        const body = await rig.client.ok('POST', '/api/terminal/bastion/run', { user_id: 'burst', command: 'true' });
        if (body.exit_code !== 0) throw new Error(`true exited with ${body.exit_code}`);
      });
    // One untimed round of each warms up JIT, HTTP sockets and the channel path.
    await bridgeBurst();
    await rawBurst(raw);
    const bridge: Burst[] = [];
    const floor: Burst[] = [];
    const http: Burst[] = [];
    const bareHttp: Burst[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      http.push(
        await burst(BURST, bridgePid, async () => {
          await rig.client.ok('GET', '/healthz');
        }),
      );
      bareHttp.push(
        await burst(BURST, httpFloor.pid, async () => {
          await httpFloor.client.ok('GET', '/healthz');
        }),
      );
      if (i % 2 === 0) {
        bridge.push(await bridgeBurst());
        floor.push(await rawBurst(raw));
      } else {
        floor.push(await rawBurst(raw));
        bridge.push(await bridgeBurst());
      }
    }
    raw.end();
    const median = (values: number[]): number => percentile(values, 50);
    const summary = (runs: Burst[]) => ({
      total: median(runs.map((r) => r.totalMs)),
      p50: median(runs.map((r) => percentile(r.latencies, 50))),
      p99: median(runs.map((r) => percentile(r.latencies, 99))),
      cpu: median(runs.map((r) => r.cpuPerCommandMs)),
      machineCpu: median(runs.map((r) => r.machineCpuPerCommandMs)),
      busy: median(runs.map((r) => r.machineBusy)),
    });
    const b = summary(bridge);
    const f = summary(floor);
    const h = summary(http);
    const bare = summary(bareHttp);
    const pct = (busy: number): string => `${Math.round(busy * 100)}%`;
    printTable(
      `${BURST} concurrent \`true\` on one session, ${CHANNELS} channels at a time (ms, median of ${ROUNDS} rounds), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.versions.node}`,
      ['path', 'total', 'p50', 'p99', 'commands/s', 'CPU ms per command', 'machine CPU ms per command', 'cores busy'],
      [
        ['bridge, 200 POST /api/terminal/bastion/run at once', b.total, b.p50, b.p99, (BURST * 1000) / b.total, `${fmt(b.cpu)} (the bridge)`, b.machineCpu, pct(b.busy)],
        ['ssh2 alone, same limit (interleaved)', f.total, f.p50, f.p99, (BURST * 1000) / f.total, `${fmt(f.cpu)} (ssh2's client)`, f.machineCpu, pct(f.busy)],
        ['HTTP alone: 200 GET /healthz at once (same rounds)', h.total, h.p50, h.p99, (BURST * 1000) / h.total, `${fmt(h.cpu)} (the bridge)`, h.machineCpu, pct(h.busy)],
        ['HTTP floor: 200 requests to node:http alone (same rounds)', bare.total, bare.p50, bare.p99, (BURST * 1000) / bare.total, `${fmt(bare.cpu)} (its server)`, bare.machineCpu, pct(bare.busy)],
      ],
    );
    console.log(`\ntotal: bridge / ssh2 alone = ${fmt(b.total / f.total)} (${target('<= 1.2', b.total <= 1.2 * f.total)})`);
    console.log(`p50: bridge / ssh2 alone = ${fmt(b.p50 / f.p50)} (${target('<= 1.2', b.p50 <= 1.2 * f.p50)})`);
    console.log(`per round (bridge total / ssh2 total): ${bridge.map((r, i) => fmt(r.totalMs / floor[i]!.totalMs)).join(' ')}`);
    // With the cores busy, a burst lasts about as long as its CPU takes: any bridge over HTTP pays at least
    // ssh2's burst plus what an HTTP request costs the machine (server and client), with nothing of its own.
    console.log(
      `machine CPU per command: bridge path ${fmt(b.machineCpu)} ms, ssh2 alone ${fmt(f.machineCpu)} ms (ratio ${fmt(b.machineCpu / f.machineCpu)}); ` +
        `an HTTP request to node:http alone ${fmt(bare.machineCpu)} ms, so an HTTP bridge that did nothing else would cost ${fmt((f.machineCpu + bare.machineCpu) / f.machineCpu)}x ssh2 alone's CPU`,
    );
  } finally {
    httpFloor.close();
    await rig.close();
  }
}

await main();
