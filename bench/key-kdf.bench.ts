// What an encrypted OpenSSH key's bcrypt rounds cost the bridge's event loop: ssh2 parses the key (and
// runs the KDF) synchronously, which the bridge now does in a worker thread (PrivateKeyParser). Prints, by
// rounds, ms per parse on the event loop, ms per parse in the worker and the loop's worst stall meanwhile,
// the cost of reading the rounds from the header, and what SSH_KEY_MAX_KDF_ROUNDS allows at most.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import ssh2 from 'ssh2';
import { loadConfig } from '../bridge/config/config.js';
import { opensshKdfRounds } from '../bridge/ssh/private-key-kdf.js';
import { PrivateKeyParser } from '../bridge/ssh/private-key-parser.js';
import { median } from './ssh-bench-kit.js';

const ROUNDS = (process.env.BENCH_KDF_ROUNDS ?? '16,64,256').split(',').map(Number);
const RUNS = Number(process.env.BENCH_KDF_RUNS ?? 3);
const PASSPHRASE = 'bench-passphrase';

function timeMs(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/** Wall time of one parse in the worker, and the event loop's worst stall while it ran. */
async function inWorker(parser: PrivateKeyParser, key: string): Promise<{ ms: number; stallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // The histogram's first tick only starts its clock: a stall before it would go unseen.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const started = performance.now();
  await parser.parse(key, PASSPHRASE, 'private_key');
  const ms = performance.now() - started;
  histogram.disable();
  return { ms, stallMs: histogram.max / 1e6 };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-kdf-'));
try {
  const rows: Array<{ rounds: number; parse: number; worker: number; stall: number; header: number }> = [];
  // No time limit here: the point is what each count costs.
  const parser = new PrivateKeyParser({ maxKdfRounds: 0xffffffff, timeoutMs: 3_600_000 });
  for (const rounds of ROUNDS) {
    const file = path.join(dir, `key-${rounds}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', String(rounds), '-N', PASSPHRASE, '-f', file]);
    const key = fs.readFileSync(file, 'utf8');
    if (opensshKdfRounds(key) !== rounds) throw new Error(`header says ${opensshKdfRounds(key)} rounds, expected ${rounds}`);
    const parse = median(Array.from({ length: RUNS }, () => timeMs(() => ssh2.utils.parseKey(key, PASSPHRASE))));
    const inWorkerRuns: Array<{ ms: number; stallMs: number }> = [];
    for (let run = 0; run < RUNS; run++) inWorkerRuns.push(await inWorker(parser, key));
    const header = median(Array.from({ length: 1000 }, () => timeMs(() => opensshKdfRounds(key))));
    rows.push({ rounds, parse, worker: median(inWorkerRuns.map((r) => r.ms)), stall: Math.max(...inWorkerRuns.map((r) => r.stallMs)), header });
  }
  console.log(`| bcrypt rounds | ssh2 parseKey on the event loop (blocked throughout) | in the worker (PrivateKeyParser) | worst event-loop stall meanwhile | rounds read from the header |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.rounds} | ${r.parse.toFixed(0)} ms | ${r.worker.toFixed(0)} ms | ${r.stall.toFixed(0)} ms | ${(r.header * 1000).toFixed(1)} µs |`);
  }
  console.log(`(medians of ${RUNS}; the stall is the worst of the ${RUNS} worker runs)`);
  const perRound = rows.reduce((sum, r) => sum + r.parse / r.rounds, 0) / rows.length;
  const { maxKeyKdfRounds: cap, keyParseTimeoutMs } = loadConfig({}).ssh;
  console.log(
    `\n${perRound.toFixed(2)} ms per round; the default cap (${cap} rounds) would take ~${((perRound * cap) / 1000).toFixed(1)} s, ` +
      `the default time limit stops a parse after ${keyParseTimeoutMs / 1000} s (~${Math.floor(keyParseTimeoutMs / perRound)} rounds at this speed)`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
