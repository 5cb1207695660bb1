// Upload throughput: a tus upload (POST, then one streamed PATCH written with pipelined SFTP writes) of a
// 256 MiB file against OpenSSH's `sftp` putting the same file to the same loopback sshd, interleaved
// round by round so load from other work hits both alike. Prints a table and the ratio.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256File, tusCreate, tusPatch } from '../tests/support/tus-client.js';
import { connectSession, fmt, median, opensshOptions, printTable, run, startRig, target, timeMs } from './ssh-bench-kit.js';

const FILE_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);

async function main(): Promise<void> {
  const rig = await startRig();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-ul-'));
  const local = path.join(work, 'upload.bin');
  // Random bytes so nothing compresses; the remote copies land in the test account's home.
  const bridgeRemote = path.join(rig.account.home, 'bench-upload-bridge.bin');
  const sftpRemote = path.join(rig.account.home, 'bench-upload-sftp.bin');
  try {
    execFileSync('head', ['-c', String(FILE_MIB * 1024 * 1024), '/dev/urandom'], { stdio: ['ignore', fs.openSync(local, 'w'), 'inherit'] });
    const expected = await sha256File(local);
    await connectSession(rig, 'bench');
    const batch = path.join(work, 'batch');
    fs.writeFileSync(batch, `put ${local} ${sftpRemote}\n`);
    const bridge = { baseUrl: rig.bridge.baseUrl, token: rig.bridge.token };
    const bridgeRuns: number[] = [];
    const sftpRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bridgeRuns.push(
        await timeSeconds(async () => {
          const created = await tusCreate(bridge, { user_id: 'bench', path: bridgeRemote, overwrite: 'true' }, FILE_MIB * 1024 * 1024);
          if (created.status !== 201) throw new Error(`upload create: ${created.status}`);
          const patched = await tusPatch(bridge, created.location, 0, local);
          if (patched.status !== 204) throw new Error(`upload patch: ${patched.status}`);
        }),
      );
      sftpRuns.push(await timeSeconds(() => run('sftp', [...opensshOptions(rig), '-q', '-b', batch, `${rig.account.username}@127.0.0.1`])));
    }
    for (const [name, file] of [['bridge', bridgeRemote], ['sftp', sftpRemote]] as const) {
      if ((await sha256File(file)) !== expected) throw new Error(`${name} upload differs from the source file`);
    }
    const best = { bridge: Math.min(...bridgeRuns), sftp: Math.min(...sftpRuns) };
    const mibps = (seconds: number): number => FILE_MIB / seconds;
    printTable(`Upload of a ${FILE_MIB} MiB file to the loopback sshd (interleaved, best of ${ROUNDS}, MiB/s)`, ['client', 'seconds (best)', 'MiB/s (best)', 'MiB/s (median)'], [
      ['bridge tus POST + PATCH /api/fs/uploads', best.bridge, mibps(best.bridge), mibps(median(bridgeRuns))],
      ['OpenSSH sftp -b (put)', best.sftp, mibps(best.sftp), mibps(median(sftpRuns))],
    ]);
    const ratio = best.sftp / best.bridge;
    console.log(`\nbridge / sftp throughput = ${fmt(ratio)} (${target('>= 0.8', ratio >= 0.8)})`);
  } finally {
    fs.rmSync(bridgeRemote, { force: true });
    fs.rmSync(sftpRemote, { force: true });
    fs.rmSync(work, { recursive: true, force: true });
    await rig.close();
  }
}

/** Seconds `work` takes to settle (throughput is per second). */
async function timeSeconds(work: () => Promise<unknown>): Promise<number> {
  return (await timeMs(work)) / 1000;
}

await main();
