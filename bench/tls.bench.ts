// TLS on the LAN listener, side by side in one run: POST /api/terminal/bastion/run over loopback HTTP and
// over HTTPS to a LAN name (resolved to loopback) on keep-alive connections, the TLS handshake alone,
// and download throughput over HTTPS against OpenSSH's sftp from the same loopback sshd.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import { loopbackLookup } from '../tests/support/tls-client.js';
import { connectSession, fmt, opensshOptions, percentile, printTable, run, startRig, target, timeSequential } from './ssh-bench-kit.js';

const LAN_NAME = 'bench.vigilink.test';
const RUNS = Number(process.env.BENCH_TLS_RUNS ?? 400);
const HANDSHAKES = Number(process.env.BENCH_TLS_HANDSHAKES ?? 200);
const FILE_MIB = Number(process.env.BENCH_DOWNLOAD_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 3);

function httpsJson(agent: https.Agent, url: string, token: string, body: unknown): Promise<number> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', agent, lookup: loopbackLookup, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(payload.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function handshake(port: number, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: LAN_NAME, ca }, () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

async function download(agent: https.Agent, url: string, token: string, file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    https
      .get(url, { agent, lookup: loopbackLookup, headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`download: ${res.statusCode}`));
        pipeline(res, fs.createWriteStream(file)).then(resolve, reject);
      })
      .on('error', reject);
  });
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function latency(rig: Awaited<ReturnType<typeof startRig>>, agent: https.Agent, httpsBase: string): Promise<void> {
  const body = { user_id: 'bench', command: 'true' };
  const overHttp = async (): Promise<void> => void (await rig.client.ok('POST', '/api/terminal/bastion/run', body));
  const overHttps = async (): Promise<void> => {
    const status = await httpsJson(agent, `${httpsBase}/api/terminal/bastion/run`, rig.bridge.token, body);
    if (status !== 200) throw new Error(`https run: ${status}`);
  };
  // One of each in turn, so a burst of load on the (shared) machine hits both transports alike.
  for (let i = 0; i < 30; i++) await Promise.all([overHttp(), overHttps()]);
  const plain: number[] = [];
  const secure: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(...(await timeSequential(1, 0, overHttp)));
    secure.push(...(await timeSequential(1, 0, overHttps)));
  }
  printTable(`POST /api/terminal/bastion/run (\`true\` on the loopback sshd), keep-alive, ${plain.length} runs each (ms)`, ['transport', 'p50', 'p90', 'p99'], [
    ['loopback HTTP (127.0.0.1)', percentile(plain, 50), percentile(plain, 90), percentile(plain, 99)],
    [`HTTPS to ${LAN_NAME} (local CA, same port)`, percentile(secure, 50), percentile(secure, 90), percentile(secure, 99)],
  ]);
  const added = percentile(secure, 50) - percentile(plain, 50);
  console.log(`\nTLS adds ${fmt(added)} ms at p50 (${target('at most 1 ms', added <= 1)})`);
}

async function throughput(rig: Awaited<ReturnType<typeof startRig>>, agent: https.Agent, httpsBase: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-tls-'));
  const remote = path.join(rig.account.home, 'bench-tls-download.bin');
  try {
    execFileSync('head', ['-c', String(FILE_MIB * 1024 * 1024), '/dev/urandom'], { stdio: ['ignore', fs.openSync(remote, 'w'), 'inherit'] });
    fs.chmodSync(remote, 0o644);
    const httpsOut = path.join(work, 'https.bin');
    const sftpOut = path.join(work, 'sftp.bin');
    const batch = path.join(work, 'batch');
    fs.writeFileSync(batch, `get ${remote} ${sftpOut}\n`);
    const httpsRuns: number[] = [];
    const sftpRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      httpsRuns.push(await seconds(() => download(agent, `${httpsBase}/api/fs/download?user_id=bench&path=${encodeURIComponent(remote)}`, rig.bridge.token, httpsOut)));
      sftpRuns.push(await seconds(() => run('sftp', [...opensshOptions(rig), '-q', '-b', batch, `${rig.account.username}@127.0.0.1`])));
    }
    const digest = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (digest(httpsOut) !== digest(remote) || digest(sftpOut) !== digest(remote)) throw new Error('a download differs from the source file');
    const best = { https: Math.min(...httpsRuns), sftp: Math.min(...sftpRuns) };
    printTable(`Download of a ${FILE_MIB} MiB file (best of ${ROUNDS})`, ['client', 'seconds', 'MiB/s'], [
      [`bridge over HTTPS to ${LAN_NAME}`, best.https, FILE_MIB / best.https],
      ['OpenSSH sftp -b (get)', best.sftp, FILE_MIB / best.sftp],
    ]);
    const ratio = best.sftp / best.https;
    console.log(`\nHTTPS / sftp throughput = ${fmt(ratio)} (${target('>= 0.8', ratio >= 0.8)})`);
  } finally {
    fs.rmSync(remote, { force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rig = await startRig({ VIGILINK_TLS_NAMES: LAN_NAME });
  const port = Number(new URL(rig.client.baseUrl).port);
  const ca = fs.readFileSync(path.join(rig.bridge.dataDir, 'tls', 'ca.crt'), 'utf8');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
  const httpsBase = `https://${LAN_NAME}:${port}`;
  try {
    await connectSession(rig, 'bench');
    await latency(rig, agent, httpsBase);
    const times = await timeSequential(HANDSHAKES, 20, () => handshake(port, ca));
    printTable(`TLS handshake to ${LAN_NAME} (TCP connect + TLS 1.3, ECDSA P-256, chain verified), ${HANDSHAKES} runs (ms)`, ['p50', 'p90', 'p99'], [
      [percentile(times, 50), percentile(times, 90), percentile(times, 99)],
    ]);
    await throughput(rig, agent, httpsBase);
  } finally {
    agent.destroy();
    await rig.close();
  }
}

await main();
