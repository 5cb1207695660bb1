// Many users on one workstation: 100 users x 5 idle SSH sessions on one loopback sshd, each user's paired
// phone connected (a device socket per user) and the owner's own socket (which gets the overview of all
// users), then 20 of the sessions with watched GPUs (8-GPU host, loop mode). Prints the bridge's memory per
// session, its CPU at rest and with the watches, the time for a `state` change to reach the 100 phones and
// for the overview to reach the owner. The bridge runs in this process (memory and the change's start are
// read from inside it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startBridge, type TestBridge } from '../tests/support/bridge.js';
import { connectSocket, pairDevice, request, type ClientSocket } from '../tests/support/live-client.js';
import { startSshd } from '../tests/support/sshd.js';
import { ensureTestAccount, FIXTURE_DIR } from '../tests/support/test-account.js';
import { installFakeNvidiaSmi } from '../tests/fixtures/fake-nvidia-smi/install.js';
import { fmt, percentile, printTable, target } from './ssh-bench-kit.js';
import { installShellFake } from './shell-nvidia-smi.js';

const USERS = Number(process.env.BENCH_MANY_USERS ?? 100);
const SESSIONS_PER_USER = 5;
const WATCHED = Number(process.env.BENCH_MANY_WATCHED ?? 20);
const REST_SECONDS = Number(process.env.BENCH_MANY_REST_SECONDS ?? 20);
const FANOUT_ROUNDS = Number(process.env.BENCH_MANY_FANOUT_ROUNDS ?? 20);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Heap and RSS after two full collections, in MiB. */
async function memory(): Promise<{ heap: number; rss: number }> {
  for (let i = 0; i < 2; i++) {
    gc();
    await sleep(100);
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed / 2 ** 20, rss: rss / 2 ** 20 };
}

/** This process's CPU over `seconds`, as % of one core. */
async function cpuPercent(seconds: number): Promise<number> {
  const before = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1000 / (performance.now() - t0)) * 100;
}

interface Fanout {
  last: number;
  median: number;
  /** When the owner's socket had the overview that followed. */
  overview: number;
}

/** One change for every user at once (a notify each, in one turn): ms until the last phone has its `state`, and until the owner has the overview. */
async function fanout(t: TestBridge, users: string[], arrivals: Map<string, number>, overviews: { at: number }): Promise<Fanout> {
  arrivals.clear();
  overviews.at = 0;
  const start = performance.now();
  for (const user of users) t.bridge.context.state.notify(user);
  const deadline = start + 10_000;
  while ((arrivals.size < users.length || overviews.at === 0) && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  if (arrivals.size < users.length) throw new Error(`only ${arrivals.size} of ${users.length} sockets got the state`);
  if (overviews.at === 0) throw new Error('the owner got no overview');
  const got = [...arrivals.values()].map((at) => at - start);
  return { last: Math.max(...got), median: percentile(got, 50), overview: overviews.at - start };
}

async function main(): Promise<void> {
  const account = ensureTestAccount(FIXTURE_DIR);
  const nodeFake = installFakeNvidiaSmi();
  nodeFake.set({ capture: 'xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml' });
  const fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-nvsmi-'));
  fs.chmodSync(fakeDir, 0o755);
  installShellFake(fakeDir, nodeFake);
  const sshd = await startSshd({ extraConfig: [`SetEnv PATH=${fakeDir}:/usr/bin:/bin`] });
  // Pairing 100 phones in a row is past the claim limit meant for strangers guessing secrets.
  const t = await startBridge({ SSH_MAX_SESSIONS_PER_USER: String(SESSIONS_PER_USER), VIGILINK_LOG_LEVEL: 'warn', PAIR_CLAIMS_PER_MINUTE: '100000' });
  const sockets: ClientSocket[] = [];
  let owner: ClientSocket | undefined;
  try {
    const users = Array.from({ length: USERS }, (_, i) => `user${i}`);
    const connectOnce = (userId: string, sessionId: string) =>
      t.api('POST', `/ssh/connect?session_id=${sessionId}`, {
        user_id: userId,
        hostname: '127.0.0.1',
        port: sshd.port,
        username: account.username,
        private_key: account.privateKey,
      });
    // The bridge checks a bounded number of private keys at once and answers the rest 503 with Retry-After
    // (since 0.2.0): come back then, as a client should.
    const connect = async (userId: string, sessionId: string) => {
      let res = await connectOnce(userId, sessionId);
      for (let retry = 0; res.status === 503 && retry < 20; retry++) {
        await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
        res = await connectOnce(userId, sessionId);
      }
      return res;
    };
    const arrivals = new Map<string, number>();
    for (const user of users) {
      const phone = await pairDevice(t, user, `${user} phone`);
      sockets.push(await connectSocket(t.baseUrl, { token: phone.token }, (socket) => socket.on('state', () => void arrivals.set(user, performance.now()))));
    }
    const overviews = { at: 0 };
    owner = await connectSocket(t.baseUrl, { token: t.token }, (socket) => socket.on('overview', () => void (overviews.at = performance.now())));
    await sleep(2000);
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const timersBefore = timers();
    const before = await memory();
    const restEmpty = await cpuPercent(REST_SECONDS / 2);

    // 20 users' worth of sessions at a time: sshd and the bridge's handshakes share the 2 cores.
    for (let i = 0; i < users.length; i += 20) {
      await Promise.all(
        users.slice(i, i + 20).flatMap((user) =>
          Array.from({ length: SESSIONS_PER_USER }, async (_, s) => {
            const res = await connect(user, `s${s}`);
            if (res.status !== 200) throw new Error(`connect ${user}/s${s}: ${res.status} ${JSON.stringify(res.body)}`);
          }),
        ),
      );
    }
    const sessions = USERS * SESSIONS_PER_USER;
    await sleep(3000);
    const after = await memory();
    const timersPerSession = (timers() - timersBefore) / (USERS * SESSIONS_PER_USER);
    const restSessions = await cpuPercent(REST_SECONDS);
    const fanoutIdle: Fanout[] = [];
    for (let i = 0; i < FANOUT_ROUNDS; i++) {
      fanoutIdle.push(await fanout(t, users, arrivals, overviews));
      await sleep(50);
    }

    let events = 0;
    for (const [i, user] of users.slice(0, WATCHED).entries()) {
      sockets[i]!.on('gpu', () => void events++);
      const ack = await request(sockets[i]!, 'gpu:watch', { user_id: user, session_id: 's0' });
      if (!ack.ok) throw new Error(`gpu:watch ${user}: ${JSON.stringify(ack)}`);
    }
    await sleep(6000);
    const events0 = events;
    const watchedCpu = await cpuPercent(REST_SECONDS);
    const rate = (events - events0) / REST_SECONDS;
    const fanoutWatched: Fanout[] = [];
    for (let i = 0; i < FANOUT_ROUNDS; i++) {
      fanoutWatched.push(await fanout(t, users, arrivals, overviews));
      await sleep(50);
    }
    const withWatches = await memory();

    const title = `${USERS} users x ${SESSIONS_PER_USER} sessions on one loopback sshd, ${USERS} paired phones and the owner connected, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.versions.node}`;
    printTable(title, ['measure', 'value'], [
      ['bridge heap per idle session (KiB)', ((after.heap - before.heap) * 1024) / sessions],
      ['bridge RSS per idle session (KiB)', ((after.rss - before.rss) * 1024) / sessions],
      ['timers per idle session (ssh2 keepalive)', timersPerSession],
      ['heap with 500 sessions and 20 watches (MiB)', withWatches.heap],
      [`CPU at rest, ${USERS + 1} sockets, no session (% of one core)`, restEmpty],
      [`CPU at rest, ${sessions} idle sessions (% of one core)`, restSessions],
      [`CPU with ${WATCHED} watched 8-GPU sessions at 2000 ms (% of one core)`, watchedCpu],
      ['gpu events/s', rate],
    ]);
    const row = (label: string, runs: Fanout[]) => [
      label,
      percentile(runs.map((r) => r.last), 50),
      Math.max(...runs.map((r) => r.last)),
      percentile(runs.map((r) => r.median), 50),
      percentile(runs.map((r) => r.overview), 50),
    ];
    printTable(`One state change for every user at once, to ${USERS} phones (ms from the notify, ${FANOUT_ROUNDS} rounds)`, ['while', 'last phone p50', 'last phone worst', 'median phone p50', "owner's overview p50"], [
      row(`${sessions} idle sessions`, fanoutIdle),
      row(`and ${WATCHED} watched GPUs`, fanoutWatched),
    ]);
    const idleAdded = restSessions - restEmpty;
    const keepalivesPerSecond = sessions / 15;
    console.log(`\nCPU added by ${sessions} idle sessions: ${fmt(idleAdded)}% of one core, ${fmt((idleAdded * 10) / keepalivesPerSecond)} ms per keepalive round trip (${fmt(keepalivesPerSecond)}/s at SSH_KEEPALIVE_SECONDS=15)`);
    console.log(`timers per idle session: ${fmt(timersPerSession)} (${target('<= 1, the keepalive', timersPerSession <= 1.05)})`);
    console.log(`last of ${USERS} sockets has the change within ${fmt(percentile(fanoutWatched.map((r) => r.last), 50))} ms at p50 with the watches (${target('< 50 ms', percentile(fanoutWatched.map((r) => r.last), 50) < 50)})`);
  } finally {
    for (const socket of sockets) socket.close();
    owner?.close();
    await t.close();
    await sshd.stop();
    nodeFake.remove();
    fs.rmSync(fakeDir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
