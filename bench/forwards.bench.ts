// Port forwards: a 100 MiB download and request latency through the bridge's forward (its own port, the
// cookie, http-proxy-3 over an ssh2 direct-tcpip channel) against `ssh -L` to the same web app on the
// same loopback sshd, side by side in one run. Prints a table, the throughput ratio and the added p50.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { startWebApp } from '../tests/support/web-app.js';
import { freePort } from '../tests/support/sshd.js';
import { connectSession, fmt, opensshOptions, percentile, printTable, startRig, target, timeSequential } from './ssh-bench-kit.js';

const DOWNLOAD_MIB = Number(process.env.BENCH_FORWARD_MIB ?? 100);
const ROUNDS = Number(process.env.BENCH_FORWARD_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_FORWARD_REQUESTS ?? 300);

async function main(): Promise<void> {
  const rig = await startRig({ FORWARD_PORTS: '18400-18499' });
  const app = await startWebApp();
  const tunnelPort = await freePort();
  const ssh = spawn('ssh', [...opensshOptions(rig), '-N', '-L', `127.0.0.1:${tunnelPort}:127.0.0.1:${app.port}`, `${rig.account.username}@127.0.0.1`], { stdio: 'ignore' });
  const agents = { bridge: new http.Agent({ keepAlive: true }), ssh: new http.Agent({ keepAlive: true }) };
  try {
    await connectSession(rig, 'bench');
    const forward = await rig.client.ok('POST', '/api/forwards', { user_id: 'bench', remote_port: app.port });
    const link = await rig.client.ok('POST', `/api/forwards/${forward.forward_id}/link?user_id=bench`);
    const cookie = await redeem(link.url);
    await waitForPort(tunnelPort);
    const paths = {
      bridge: { base: `http://127.0.0.1:${forward.port}`, headers: { cookie }, agent: agents.bridge },
      ssh: { base: `http://127.0.0.1:${tunnelPort}`, headers: {}, agent: agents.ssh },
    };
    const seconds = { bridge: [] as number[], ssh: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['bridge', 'ssh'] as const) {
        const start = process.hrtime.bigint();
        const bytes = await get(paths[name], `/download?bytes=${DOWNLOAD_MIB * 1024 * 1024}`);
        if (bytes !== DOWNLOAD_MIB * 1024 * 1024) throw new Error(`${name}: ${bytes} bytes`);
        seconds[name].push(Number(process.hrtime.bigint() - start) / 1e9);
      }
    }
    const latency = {
      bridge: await timeSequential(REQUESTS, 20, () => get(paths.bridge, '/whoami')),
      ssh: await timeSequential(REQUESTS, 20, () => get(paths.ssh, '/whoami')),
    };
    const mibps = (name: 'bridge' | 'ssh'): number => DOWNLOAD_MIB / Math.min(...seconds[name]);
    printTable(`Forwarded web app on the loopback sshd's host: ${DOWNLOAD_MIB} MiB download (best of ${ROUNDS}) and GET latency (${REQUESTS} keep-alive requests)`, ['path', 'MiB/s (best)', 'p50 ms', 'p99 ms'], [
      ['bridge forward (cookie, http-proxy-3, ssh2 channel)', mibps('bridge'), percentile(latency.bridge, 50), percentile(latency.bridge, 99)],
      ['ssh -L (OpenSSH client)', mibps('ssh'), percentile(latency.ssh, 50), percentile(latency.ssh, 99)],
    ]);
    const ratio = mibps('bridge') / mibps('ssh');
    const added = percentile(latency.bridge, 50) - percentile(latency.ssh, 50);
    console.log(`\nbridge / ssh -L throughput = ${fmt(ratio)} (${target('>= 0.8', ratio >= 0.8)})`);
    console.log(`added p50 = ${fmt(added)} ms (${target('<= 2 ms', added <= 2)})`);
  } finally {
    agents.bridge.destroy();
    agents.ssh.destroy();
    ssh.kill();
    await app.close();
    await rig.close();
  }
}

/** Open the one-time link as a browser would; the cookie it sets. */
function redeem(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      res.resume();
      const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
      if (res.statusCode === 303 && cookie) resolve(cookie);
      else reject(new Error(`link answered ${res.statusCode}`));
    }).once('error', reject);
  });
}

/** GET a path, read the body to the end; resolves with its length in bytes. */
function get(target: { base: string; headers: Record<string, string>; agent: http.Agent }, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(target.base + path, { agent: target.agent, headers: target.headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode}`));
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.once('end', () => resolve(bytes));
      res.once('error', reject);
    }).once('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); resolve(true); }).once('error', () => resolve(false)));
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`ssh -L did not listen on ${port}`);
}

await main();
