// 200 commands at once on one session: the bridge (POST /api/terminal/bastion/run, 200 concurrent
// keep-alive requests) against the same burst through ssh2 alone on one connection with the same channel
// limit (8 open at a time, FIFO), the two taking turns round by round; and 200 concurrent GET /healthz,
// the HTTP part alone (what the bridge's queue cannot win back). Prints total and per-command times, and the CPU per
// command of the main thread doing the work (robust to a loaded machine where times are not).
import os from 'node:os';
import type { Client } from 'ssh2';
import { connectSession, fmt, mainThreadCpuMs, percentile, printTable, rawSsh2, startRig, target } from './ssh-bench-kit.js';

const BURST = Number(process.env.BENCH_BURST ?? 200);
const ROUNDS = Number(process.env.BENCH_BURST_ROUNDS ?? 6);
const CHANNELS = 8;

interface Burst {
  totalMs: number;
  /** Each command's time from the start of the burst to its answer. */
  latencies: number[];
  /** CPU milliseconds of the main thread that does the work (the bridge's, or this process's for ssh2 alone), per command. */
  cpuPerCommandMs: number;
}

async function burst(n: number, cpuPid: number | 'self', once: (i: number) => Promise<void>): Promise<Burst> {
  const cpu0 = mainThreadCpuMs(cpuPid);
  const start = process.hrtime.bigint();
  const since = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  const latencies = await Promise.all(Array.from({ length: n }, (_, i) => once(i).then(since)));
  return { totalMs: since(), latencies, cpuPerCommandMs: (mainThreadCpuMs(cpuPid) - cpu0) / n };
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
    for (let i = 0; i < ROUNDS; i++) {
      http.push(
        await burst(BURST, bridgePid, async () => {
          await rig.client.ok('GET', '/healthz');
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
    });
    const b = summary(bridge);
    const f = summary(floor);
    const h = summary(http);
    printTable(
      `${BURST} concurrent \`true\` on one session, ${CHANNELS} channels at a time (ms, median of ${ROUNDS} rounds), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.versions.node}`,
      ['path', 'total', 'p50', 'p99', 'commands/s', 'CPU ms per command'],
      [
        ['bridge, 200 POST /api/terminal/bastion/run at once', b.total, b.p50, b.p99, (BURST * 1000) / b.total, `${fmt(b.cpu)} (the bridge)`],
        ['ssh2 alone, same limit (interleaved)', f.total, f.p50, f.p99, (BURST * 1000) / f.total, `${fmt(f.cpu)} (ssh2's client)`],
        ['HTTP alone: 200 GET /healthz at once (same rounds)', h.total, h.p50, h.p99, (BURST * 1000) / h.total, `${fmt(h.cpu)} (the bridge)`],
      ],
    );
    console.log(`\ntotal: bridge / ssh2 alone = ${fmt(b.total / f.total)} (${target('<= 1.2', b.total <= 1.2 * f.total)})`);
    console.log(`p50: bridge / ssh2 alone = ${fmt(b.p50 / f.p50)} (${target('<= 1.2', b.p50 <= 1.2 * f.p50)})`);
    console.log(`per round (bridge total / ssh2 total): ${bridge.map((r, i) => fmt(r.totalMs / floor[i]!.totalMs)).join(' ')}`);
  } finally {
    await rig.close();
  }
}

await main();
