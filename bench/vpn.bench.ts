// VPN containers: time from POST /vpn/connect (real) to tunnel up, against the same steps by hand with the
// docker CLI and openconnect (own network, hardened container, firewall, docker exec openconnect
// --background, read the tun address), in
// one run against the tests' own ocserv on an --internal network; then /api/fs/read of 64 KiB at a
// 100 MiB offset in a container, against `docker exec dd` by hand.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { startBridge } from '../tests/support/bridge.js';
import { createInternalNetwork, ensureBackendImage, execIn, removeBridgeContainers, requireDocker, BACKEND_IMAGE } from '../tests/support/docker.js';
import { startOcserv, VPN_PASSWORD, VPN_USER } from '../tests/support/ocserv.js';
import { ensureTestAccount, FIXTURE_DIR } from '../tests/support/test-account.js';

const CONNECT_RUNS = Number(process.env.BENCH_VPN_CONNECT_RUNS ?? 8);
const READ_RUNS = Number(process.env.BENCH_VPN_READ_RUNS ?? 60);
const OFFSET = 100 * 1024 * 1024;
const LENGTH = 64 * 1024;

function docker(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`docker ${args.join(' ')}: exit ${code}: ${Buffer.concat(err)}`)),
    );
    child.stdin.end(input ?? '');
  });
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const p = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((q / 100) * values.length))]!;
const f = (n: number): string => (Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n.toFixed(1));

function table(title: string, header: string[], rows: Array<Array<string | number>>): void {
  console.log(`\n${title}`);
  const cells = [header, ...rows.map((row) => row.map((c) => (typeof c === 'number' ? f(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  for (const [i, row] of cells.entries()) {
    console.log(`| ${row.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`);
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
}

async function main(): Promise<void> {
  await requireDocker();
  await ensureBackendImage();
  const account = ensureTestAccount(FIXTURE_DIR);
  const network = await createInternalNetwork();
  const ocserv = await startOcserv(network.name, account);
  const t = await startBridge({ VIGILINK_DOCKER_NETWORK: network.name, VPN_CONTAINER_NETWORK_INTERNAL: '1', VPN_COOLDOWN_SECONDS: '0', VIGILINK_LOG_LEVEL: 'warn' });
  try {
    const bridgeRuns: number[] = [];
    const handRuns: number[] = [];
    // Alternate the two paths so drift in machine load hits both alike.
    for (let i = 0; i < CONNECT_RUNS; i++) {
      const user = `bench${i}`;
      let start = process.hrtime.bigint();
      const res = await t.api('POST', '/vpn/connect', {
        user_id: user,
        vpn_url: ocserv.url,
        username: VPN_USER,
        password: VPN_PASSWORD,
        servercert: ocserv.pin,
        real: true,
      });
      if (res.status !== 200) throw new Error(`connect failed: ${JSON.stringify(res.body)}`);
      bridgeRuns.push(ms(start));
      await t.api('POST', `/vpn/disconnect?user_id=${user}`);

      const name = `vigilink-bench-hand-${process.pid}-${i}`;
      start = process.hrtime.bigint();
      // The bridge's isolation by hand too: a network of its own, the shared one, the hardening and the firewall.
      await docker(['network', 'create', '--internal', '--label', 'vigilink.test=1', name]);
      await docker(['create', '--name', name, '--network', name, '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', '--security-opt', 'no-new-privileges', '--device', '/dev/net/tun', '--init', BACKEND_IMAGE]);
      await docker(['network', 'connect', network.name, name]);
      await docker(['start', name]);
      const gateways = await docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.Gateway}} {{end}}', name]);
      await docker(['exec', name, 'vigilink-firewall', ...gateways.trim().split(/\s+/)]);
      await docker(
        ['exec', '-i', name, 'sh', '-c', 'exec openconnect --background --non-inter --passwd-on-stdin "$@" >/tmp/openconnect.log 2>&1', 'sh',
          `--user=${VPN_USER}`, `--servercert=${ocserv.pin}`, '--', ocserv.url],
        `${VPN_PASSWORD}\n`,
      );
      // openconnect goes to the background a moment before the address is on tun0: poll as a person would.
      let address = '';
      for (let k = 0; k < 50 && !address.trim(); k++) {
        if (k > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        address = await docker(['exec', name, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'tun0']);
      }
      handRuns.push(ms(start));
      if (!/inet 10\.77\.0\./.test(address)) throw new Error(`by hand: no tunnel address: ${address}\n${await docker(['exec', name, 'cat', '/tmp/openconnect.log'])}`);
      await docker(['rm', '-f', name]);
      await docker(['network', 'rm', name]);
    }
    const ratio = median(bridgeRuns) / median(handRuns);
    table(
      `Connect to tunnel up (ms), ocserv on an --internal network, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.versions.node}`,
      ['path', 'runs', 'median', 'min', 'max'],
      [
        ['bridge POST /vpn/connect real=true', CONNECT_RUNS, median(bridgeRuns), Math.min(...bridgeRuns), Math.max(...bridgeRuns)],
        ['by hand: network, docker create + start, firewall, docker exec openconnect -b + ip addr', CONNECT_RUNS, median(handRuns), Math.min(...handRuns), Math.max(...handRuns)],
      ],
    );
    console.log(`\nbridge / by hand (median) = ${ratio.toFixed(2)} (target <= 1.2: ${ratio <= 1.2 ? 'met' : 'NOT met'})`);

    const made = await t.api('POST', '/vpn/connect', { user_id: 'reader' });
    const containerId = made.body.container_id as string;
    await execIn(containerId, ['sh', '-c', `truncate -s 110M /tmp/big && head -c ${LENGTH} /dev/urandom | dd of=/tmp/big bs=${LENGTH} seek=${OFFSET / LENGTH} conv=notrunc status=none`]);
    const route = `/api/fs/read?user_id=reader&path=/tmp/big&offset=${OFFSET}&length=${LENGTH}&encoding=base64`;
    const readRuns: number[] = [];
    const handReads: number[] = [];
    for (let i = 0; i < READ_RUNS + 5; i++) {
      let start = process.hrtime.bigint();
      const res = await t.api('GET', route);
      const took = ms(start);
      if (res.status !== 200 || Buffer.from(res.body.data, 'base64').length !== LENGTH) throw new Error(`read failed: ${res.status}`);
      start = process.hrtime.bigint();
      await docker(['exec', containerId, 'dd', 'if=/tmp/big', 'iflag=skip_bytes,count_bytes', `skip=${OFFSET}`, `count=${LENGTH}`, 'bs=262144', 'status=none']);
      const hand = ms(start);
      if (i >= 5) {
        readRuns.push(took);
        handReads.push(hand);
      }
    }
    table(
      `/api/fs/read of 64 KiB at a 100 MiB offset in a container (ms)`,
      ['path', 'runs', 'p50', 'p99'],
      [
        ['bridge GET /api/fs/read (base64)', READ_RUNS, median(readRuns), p(readRuns, 99)],
        ['by hand: docker exec dd (same flags)', READ_RUNS, median(handReads), p(handReads, 99)],
      ],
    );
    console.log(`\nbridge / by hand (p50) = ${(median(readRuns) / median(handReads)).toFixed(2)}`);
  } finally {
    await t.close();
    await removeBridgeContainers(t.dataDir);
    await ocserv.stop();
    await network.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
