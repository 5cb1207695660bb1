// Slurm jobs at scale, against the test cluster (tests/fixtures/slurm, a container on an --internal network):
// 100 watched SSH sessions (20 users x 5) on its login node, each watched by two sockets; how many squeue
// the login node runs per interval (counted there by a wrapper) against one per session per interval; the
// bridge process's CPU; and the time from a job's end (stamped by the job itself) to its alert on a socket.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { JobAlert } from '../bridge/contracts/slurm.js';
import { createInternalNetwork, requireDocker } from '../tests/support/docker.js';
import { startSlurmCluster } from '../tests/support/slurm-cluster.js';
import { startBridgeChild } from '../tests/support/server-child.js';
import { fmt, JsonClient, percentile, printTable, target } from './ssh-bench-kit.js';

const USERS = 20;
const SESSIONS_PER_USER = 5;
const SOCKETS_PER_USER = 2;
const INTERVAL_S = Number(process.env.BENCH_SLURM_INTERVAL_SECONDS ?? 5);
const WINDOW_S = Number(process.env.BENCH_SLURM_WINDOW_SECONDS ?? 30);
const JOBS = Number(process.env.BENCH_SLURM_JOBS ?? 6);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const CALLS = '/tmp/squeue-calls';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function main(): Promise<void> {
  await requireDocker();
  const network = await createInternalNetwork();
  const cluster = await startSlurmCluster(network.name);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-slurm-'));
  const bridge = await startBridgeChild({ dataDir, env: { SSH_MAX_SESSIONS_PER_USER: String(SESSIONS_PER_USER), SLURM_POLL_INTERVAL_SECONDS: String(INTERVAL_S) } });
  const client = new JsonClient(bridge.baseUrl, bridge.token);
  const sockets: Socket[] = [];
  try {
    // Every squeue the login node runs leaves a line (the wrapper comes first on the PATH).
    await cluster.root(['sh', '-c', `: >${CALLS}; chmod 666 ${CALLS}; printf '#!/bin/sh\\necho x >>${CALLS}\\nexec /usr/bin/squeue "$@"\\n' >/usr/local/bin/squeue; chmod 755 /usr/local/bin/squeue`]);
    const squeueCalls = async (): Promise<number> => Number((await cluster.root(['sh', '-c', `wc -l <${CALLS}`])).trim());
    const { main: account } = cluster.users;
    const users = Array.from({ length: USERS }, (_, i) => `user${i}`);
    const sessionIds = Array.from({ length: SESSIONS_PER_USER }, (_, i) => `s${i}`);
    for (const user of users) {
      await Promise.all(
        sessionIds.map((id) => client.ok('POST', `/ssh/connect?session_id=${id}`, { user_id: user, hostname: cluster.ip, port: 22, username: account.username, password: account.password })),
      );
    }
    const alertsAt = new Map<string, number>();
    for (const user of users) {
      for (let n = 0; n < SOCKETS_PER_USER; n++) {
        const socket = io(bridge.baseUrl, { auth: { token: bridge.token, user_id: user }, transports: ['websocket'], reconnection: false, forceNew: true });
        sockets.push(socket);
        await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
        if (user === 'user0' && n === 0) {
          socket.on('alert', (alert: JobAlert) => {
            if (alert.type === 'slurm' && alert.session_id === 's0' && alert.kind === 'completed' && !alertsAt.has(alert.job_id)) alertsAt.set(alert.job_id, Date.now());
          });
        }
        for (const id of sessionIds) {
          await new Promise<void>((resolve, reject) =>
            socket.emit('jobs:watch', { user_id: user, session_id: id }, (ack: { ok: boolean }) => (ack.ok ? resolve() : reject(new Error(JSON.stringify(ack))))),
          );
        }
      }
    }
    const sessions = USERS * SESSIONS_PER_USER;
    await sleep(INTERVAL_S * 1000);

    // 1. squeue per session per interval, and the bridge's CPU, over one window.
    const pid = bridge.child.pid!;
    const calls0 = await squeueCalls();
    const cpu0 = cpuSeconds(pid);
    const t0 = Date.now();
    await sleep(WINDOW_S * 1000);
    const wall = (Date.now() - t0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const calls = (await squeueCalls()) - calls0;
    const expected = (sessions * wall) / INTERVAL_S;

    // 2. Job end -> alert: each job stamps the moment it ends (ms), the socket stamps the alert.
    const latencies: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const id = await cluster.sbatch(account, ['-J', `bench${i}`, '-t', '1', '-o', '/dev/null'], 'sleep 1; date +%s%3N > $HOME/end-$SLURM_JOB_ID');
      const deadline = Date.now() + (INTERVAL_S + 60) * 1000;
      while (!alertsAt.has(id) && Date.now() < deadline) await sleep(50);
      const endedAt = Number((await cluster.as(account, `cat end-${id}`)).trim());
      if (alertsAt.has(id)) latencies.push(alertsAt.get(id)! - endedAt);
      // Spread the job ends over the interval's phase.
      await sleep(((i + 1) * INTERVAL_S * 1000) / (JOBS + 1));
    }

    printTable(
      `Slurm: ${sessions} watched sessions (${USERS} users x ${SESSIONS_PER_USER}, ${SOCKETS_PER_USER} sockets per user), interval ${INTERVAL_S} s, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores`,
      ['measure', 'value'],
      [
        ['window (s)', fmt(wall)],
        ['squeue run on the login node', calls],
        ['one per session per interval would be', fmt(expected)],
        ['ratio', fmt(calls / expected)],
        ['bridge CPU, % of one core', fmt((cpu / wall) * 100)],
        ['bridge CPU ms per squeue read', fmt((cpu * 1000) / Math.max(1, calls))],
      ],
    );
    printTable(
      `Job end -> alert on a socket (ms), ${latencies.length} of ${JOBS} jobs`,
      ['p50', 'p90', 'max', 'interval'],
      [[percentile(latencies, 50), percentile(latencies, 90), Math.max(...latencies), INTERVAL_S * 1000]],
    );
    console.log(`\nsqueue per session per interval = ${fmt(calls / expected)} (${target('<= 1.05', calls / expected <= 1.05)})`);
    console.log(`alert latency max = ${Math.max(...latencies)} ms (${target('<= interval + 3 s', Math.max(...latencies) <= INTERVAL_S * 1000 + 3000)})`);
  } finally {
    for (const socket of sockets) socket.close();
    client.close();
    await bridge.stop();
    await cluster.stop();
    await network.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
