// Download throughput: GET /api/fs/download of a 256 MiB file against OpenSSH's `sftp` client fetching
// the same file from the same loopback sshd, both written to a local file. Prints a table and the ratio.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sha256File } from '../tests/support/tus-client.js';
import { connectSession, fmt, median, opensshOptions, printTable, run, startRig, target, timeMs } from './ssh-bench-kit.js';

const FILE_MIB = Number(process.env.BENCH_DOWNLOAD_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 3);

async function main(): Promise<void> {
  const rig = await startRig();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-dl-'));
  // The remote file lives where the test account can read it; random bytes so nothing compresses.
  const remote = path.join(rig.account.home, 'bench-download.bin');
  try {
    execFileSync('head', ['-c', String(FILE_MIB * 1024 * 1024), '/dev/urandom'], { stdio: ['ignore', fs.openSync(remote, 'w'), 'inherit'] });
    fs.chmodSync(remote, 0o644);
    const expected = await sha256File(remote);
    await connectSession(rig, 'bench');

    const bridgeOut = path.join(work, 'bridge.bin');
    const sftpOut = path.join(work, 'sftp.bin');
    const batch = path.join(work, 'batch');
    fs.writeFileSync(batch, `get ${remote} ${sftpOut}\n`);
    const bridgeRuns: number[] = [];
    const sftpRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bridgeRuns.push(await timeSeconds(() => downloadTo(rig.client.agent, `${rig.client.baseUrl}/api/fs/download?user_id=bench&path=${encodeURIComponent(remote)}`, rig.bridge.token, bridgeOut)));
      sftpRuns.push(await timeSeconds(() => run('sftp', [...opensshOptions(rig), '-q', '-b', batch, `${rig.account.username}@127.0.0.1`])));
    }
    for (const [name, file] of [['bridge', bridgeOut], ['sftp', sftpOut]] as const) {
      if ((await sha256File(file)) !== expected) throw new Error(`${name} download differs from the source file`);
    }
    const best = { bridge: Math.min(...bridgeRuns), sftp: Math.min(...sftpRuns) };
    const mibps = (seconds: number): number => FILE_MIB / seconds;
    printTable(`Download of a ${FILE_MIB} MiB file from the loopback sshd (best of ${ROUNDS}, MiB/s)`, ['client', 'seconds (best)', 'MiB/s (best)', 'MiB/s (median)'], [
      ['bridge GET /api/fs/download', best.bridge, mibps(best.bridge), mibps(median(bridgeRuns))],
      ['OpenSSH sftp -b (get)', best.sftp, mibps(best.sftp), mibps(median(sftpRuns))],
    ]);
    const ratio = best.sftp / best.bridge;
    console.log(`\nbridge / sftp throughput = ${fmt(ratio)} (${target('>= 0.8', ratio >= 0.8)})`);
  } finally {
    fs.rmSync(remote, { force: true });
    fs.rmSync(work, { recursive: true, force: true });
    await rig.close();
  }
}

async function downloadTo(agent: http.Agent, url: string, token: string, file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    http
      .get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`download: ${res.statusCode}`));
        pipeline(res, fs.createWriteStream(file)).then(resolve, reject);
      })
      .on('error', reject);
  });
}

/** Seconds `work` takes to settle (throughput is per second). */
async function timeSeconds(work: () => Promise<unknown>): Promise<number> {
  return (await timeMs(work)) / 1000;
}

await main();
