// The live channel: (1) keystroke-to-echo round trip through socket.io and the bridge (its own process)
// into the loopback sshd's PTY, against ssh2 alone on the same sshd, in one run; (2) the time for one
// `state` change to reach 100 connected sockets. Prints tables and the targets.
import { performance } from 'node:perf_hooks';
import { Client, type ClientChannel } from 'ssh2';
import { io } from 'socket.io-client';
import { startBridge } from '../tests/support/bridge.js';
import { connectSocket, pairDevice, request, type ClientSocket } from '../tests/support/live-client.js';
import { connectSession, fmt, percentile, printTable, startRig, target, type BenchRig } from './ssh-bench-kit.js';

const KEYSTROKES = Number(process.env.BENCH_ECHO_KEYSTROKES ?? 500);
const WARMUP = 50;
const BLOCK = 50;
const SOCKETS = Number(process.env.BENCH_FANOUT_SOCKETS ?? 100);
const FANOUT_ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 30);

/** Something that takes a keystroke and calls back on each output chunk. */
interface EchoPath {
  send(key: string): void;
  onOutput(listener: (text: string) => void): void;
  close(): void;
}

/** One keystroke's round trip: send `key`, resolve when output containing it comes back (ms). */
function roundTrip(path: EchoPath, key: string, waiters: Set<(text: string) => void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
    const waiter = (text: string): void => {
      if (!text.includes(key)) return;
      clearTimeout(timer);
      waiters.delete(waiter);
      resolve(performance.now() - start);
    };
    waiters.add(waiter);
    path.send(key);
  });
}

/** Puts the shell into `cat` so each key is echoed by the PTY's line discipline, then waits for quiet. */
async function prepare(path: EchoPath): Promise<Set<(text: string) => void>> {
  const waiters = new Set<(text: string) => void>();
  let last = performance.now();
  path.onOutput((text) => {
    last = performance.now();
    for (const waiter of [...waiters]) waiter(text);
  });
  path.send('exec cat\r');
  while (performance.now() - last < 300) await new Promise((resolve) => setTimeout(resolve, 50));
  return waiters;
}

async function bridgePath(rig: BenchRig): Promise<EchoPath> {
  const socket: ClientSocket = io(rig.bridge.baseUrl, { auth: { token: rig.bridge.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const opened = await request(socket, 'term:open', { user_id: 'bench', cols: 80, rows: 24 });
  if (!opened.ok) throw new Error(`term:open: ${opened.error.detail}`);
  const id = opened.data.terminal_id as string;
  const listeners: Array<(text: string) => void> = [];
  socket.on('term:data', (payload, ack) => {
    ack();
    const text = Buffer.from(payload.data as Uint8Array).toString('latin1');
    for (const l of listeners) l(text);
  });
  return {
    send: (key) => socket.emit('term:input', { terminal_id: id, data: key }),
    onOutput: (listener) => listeners.push(listener),
    close: () => socket.close(),
  };
}

async function ssh2Path(rig: BenchRig): Promise<EchoPath> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({ host: '127.0.0.1', port: rig.sshd.port, username: rig.account.username, privateKey: rig.account.privateKey });
  });
  const channel = await new Promise<ClientChannel>((resolve, reject) =>
    client.shell({ term: 'xterm-256color', cols: 80, rows: 24 }, (error, stream) => (error ? reject(error) : resolve(stream))),
  );
  const listeners: Array<(text: string) => void> = [];
  channel.on('data', (chunk: Buffer) => {
    const text = chunk.toString('latin1');
    for (const l of listeners) l(text);
  });
  return {
    send: (key) => channel.write(key),
    onOutput: (listener) => listeners.push(listener),
    close: () => client.end(),
  };
}

async function echoBenchmark(): Promise<void> {
  const rig = await startRig();
  try {
    await connectSession(rig, 'bench');
    const paths = { bridge: await bridgePath(rig), ssh2: await ssh2Path(rig) };
    const waiters = { bridge: await prepare(paths.bridge), ssh2: await prepare(paths.ssh2) };
    const samples: Record<keyof typeof paths, number[]> = { bridge: [], ssh2: [] };
    const keys = 'abcdefghijklmnopqrstuvwxyz';
    // Interleaved blocks so drift in machine load hits both paths alike.
    for (let done = -WARMUP; done < KEYSTROKES; done += BLOCK) {
      for (const name of ['bridge', 'ssh2'] as const) {
        for (let i = 0; i < BLOCK; i++) {
          const ms = await roundTrip(paths[name], keys[(done + i + WARMUP) % keys.length]!, waiters[name]);
          if (done >= 0) samples[name].push(ms);
        }
      }
    }
    paths.bridge.close();
    paths.ssh2.close();
    const row = (label: string, s: number[]) => [label, percentile(s, 50), percentile(s, 90), percentile(s, 99), Math.max(...s)];
    printTable(`Keystroke to echo through sshd's PTY (${KEYSTROKES} keystrokes each, ms)`, ['path', 'p50', 'p90', 'p99', 'max'], [
      row('phone path: socket.io -> bridge (own process) -> ssh2 -> sshd PTY', samples.bridge),
      row('ssh2 alone -> sshd PTY', samples.ssh2),
    ]);
    const added = percentile(samples.bridge, 50) - percentile(samples.ssh2, 50);
    console.log(`\nbridge adds ${fmt(added)} ms at p50 (${target('< 2 ms', added < 2)}); p50 ratio bridge/ssh2 = ${fmt(percentile(samples.bridge, 50) / percentile(samples.ssh2, 50))}`);
  } finally {
    await rig.close();
  }
}

async function fanoutBenchmark(): Promise<void> {
  // In-process bridge: the change starts with notify() and the clock is shared with the 100 clients
  // (which also share the bridge's CPU, so this errs on the slow side).
  const t = await startBridge({ VIGILINK_LOG_LEVEL: 'warn' });
  const sockets: ClientSocket[] = [];
  try {
    const device = await pairDevice(t, 'fan', 'bench phone');
    let round = 0;
    const arrivals: number[][] = [];
    for (let i = 0; i < SOCKETS; i++) {
      sockets.push(
        await connectSocket(t.baseUrl, { token: device.token }, (socket) =>
          socket.on('state', () => {
            if (round > 0) arrivals[round - 1]!.push(performance.now());
          }),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lastMs: number[] = [];
    const medianMs: number[] = [];
    for (round = 1; round <= FANOUT_ROUNDS; round++) {
      arrivals.push([]);
      const start = performance.now();
      t.bridge.context.state.notify('fan');
      const deadline = start + 5000;
      while (arrivals[round - 1]!.length < SOCKETS && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      const got = arrivals[round - 1]!.map((at) => at - start);
      if (got.length < SOCKETS) throw new Error(`round ${round}: only ${got.length} of ${SOCKETS} sockets got the state`);
      lastMs.push(Math.max(...got));
      medianMs.push(percentile(got, 50));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    printTable(`One state change to ${SOCKETS} sockets (${FANOUT_ROUNDS} changes, ms from notify to receipt)`, ['measure', 'p50 of changes', 'worst change'], [
      ['last of the sockets to receive it', percentile(lastMs, 50), Math.max(...lastMs)],
      ['median socket', percentile(medianMs, 50), Math.max(...medianMs)],
    ]);
    console.log(`\nall ${SOCKETS} sockets see a change within ${fmt(percentile(lastMs, 50))} ms at p50 (${target('< 50 ms', percentile(lastMs, 50) < 50)})`);
  } finally {
    for (const socket of sockets) socket.close();
    await t.close();
  }
}

await echoBenchmark();
await fanoutBenchmark();
process.exit(0);
