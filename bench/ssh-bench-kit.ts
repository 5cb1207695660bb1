// Shared pieces of the SSH benchmarks: the loopback sshd and test account, the bridge as its own
// process, a keep-alive HTTP client, OpenSSH command lines, and percentile/table printing.
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'ssh2';
import { ensureTestAccount, FIXTURE_DIR, type TestAccount } from '../tests/support/test-account.js';
import { startSshd, type Sshd } from '../tests/support/sshd.js';
import { startBridgeChild, type BridgeChild } from '../tests/support/server-child.js';

export interface BenchRig {
  account: TestAccount;
  sshd: Sshd;
  bridge: BridgeChild;
  client: JsonClient;
  close(): Promise<void>;
}

/** One sshd, one bridge process (its own data dir), and a client with the owner token. */
export async function startRig(env: Record<string, string> = {}): Promise<BenchRig> {
  // BENCH_BRIDGE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the bridge process alone.
  const nodeArgs = process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const account = ensureTestAccount(FIXTURE_DIR);
  const sshd = await startSshd();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-'));
  const bridge = await startBridgeChild({ dataDir, env, nodeArgs });
  const client = new JsonClient(bridge.baseUrl, bridge.token);
  return {
    account,
    sshd,
    bridge,
    client,
    close: async () => {
      client.close();
      await bridge.stop();
      await sshd.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface HttpFloor {
  client: JsonClient;
  pid: number;
  close(): void;
}

/** bench/http-floor.server.ts in its own process (as the bridge runs), with a keep-alive client of its own. */
export async function startHttpFloor(): Promise<HttpFloor> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'http-floor.server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the HTTP floor server exited with ${code}`)));
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  const client = new JsonClient(`http://127.0.0.1:${port}`, 'unused');
  return {
    client,
    pid: child.pid!,
    close: () => {
      client.close();
      child.kill();
    },
  };
}

/** Open an SSH session of the rig's bridge to its sshd, with the test account's key. */
export function connectSession(rig: BenchRig, userId: string, sessionId = 'default'): Promise<unknown> {
  return rig.client.ok('POST', `/ssh/connect?session_id=${sessionId}`, {
    user_id: userId,
    hostname: '127.0.0.1',
    port: rig.sshd.port,
    username: rig.account.username,
    private_key: rig.account.privateKey,
  });
}

/** ssh2 alone on its own connection to the rig's sshd, set up as the bridge sets its own (Nagle off): the floor. */
export function rawSsh2(rig: BenchRig): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const sock = net.connect({ host: '127.0.0.1', port: rig.sshd.port });
    sock.setNoDelay(true);
    client.once('ready', () => resolve(client)).once('error', reject);
    client.connect({ sock, username: rig.account.username, privateKey: rig.account.privateKey });
  });
}

/** One command on a fresh channel of `client`, resolved when the channel closes (as the bridge answers). */
export function rawExec(client: Client, command: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let code: number | null = null;
      channel.on('exit', (exitCode: number | null) => (code = exitCode));
      channel.on('data', () => undefined);
      channel.stderr.on('data', () => undefined);
      channel.on('close', () => resolve(code));
    });
  });
}

/** A keep-alive HTTP client (what a phone's HTTP stack does): no TCP handshake per request. */
export class JsonClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  request(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.baseUrl + route,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async ok(method: string, route: string, body?: unknown): Promise<any> {
    const res = await this.request(method, route, body);
    if (res.status !== 200) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** OpenSSH client options for the loopback sshd: the test key, no prompts, no known_hosts. */
export function opensshOptions(rig: BenchRig): string[] {
  return [
    '-i', rig.account.privateKeyPath,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', `Port=${rig.sshd.port}`,
  ];
}

export function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Milliseconds `work` takes to settle. */
export async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Time `n` sequential runs of `once` (after `warmup` untimed ones); milliseconds each. */
export async function timeSequential(n: number, warmup: number, once: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await timeMs(once));
  return samples;
}

/** CPU milliseconds a process's main thread has run, from /proc/PID/schedstat: nanosecond precision, so one command can be read. */
export function mainThreadCpuMs(pid: number | 'self'): number {
  return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

/** CPU milliseconds all cores of this machine spent working since boot (every process; /proc/stat without idle, iowait and steal). */
export function machineBusyMs(): number {
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ, the unit of /proc/stat: 100 on Linux on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The middle value (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: Array<string | number>): string => '| ' + r.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(`\n${title}\n`);
  console.log(line(cells[0]!));
  console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |');
  for (const r of cells.slice(1)) console.log(line(r));
}

export function fmt(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function target(label: string, ok: boolean): string {
  return `${ok ? 'met' : 'MISSED'}: ${label}`;
}
