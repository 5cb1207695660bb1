// What an encrypted OpenSSH key's bcrypt rounds cost the bridge's event loop: ssh2 parses the key (and
// runs the KDF) synchronously, once per connect. Prints ms per parse by rounds, the cost of reading the
// rounds from the header instead, and what SSH_KEY_MAX_KDF_ROUNDS allows at most.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { loadConfig } from '../bridge/config/config.js';
import { opensshKdfRounds } from '../bridge/ssh/private-key-kdf.js';

const ROUNDS = (process.env.BENCH_KDF_ROUNDS ?? '16,64,256').split(',').map(Number);
const RUNS = Number(process.env.BENCH_KDF_RUNS ?? 3);
const PASSPHRASE = 'bench-passphrase';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeMs(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-bench-kdf-'));
try {
  const rows: Array<[number, number, number]> = [];
  for (const rounds of ROUNDS) {
    const file = path.join(dir, `key-${rounds}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', String(rounds), '-N', PASSPHRASE, '-f', file]);
    const key = fs.readFileSync(file, 'utf8');
    if (opensshKdfRounds(key) !== rounds) throw new Error(`header says ${opensshKdfRounds(key)} rounds, expected ${rounds}`);
    const parse = median(Array.from({ length: RUNS }, () => timeMs(() => ssh2.utils.parseKey(key, PASSPHRASE))));
    const header = median(Array.from({ length: 1000 }, () => timeMs(() => opensshKdfRounds(key))));
    rows.push([rounds, parse, header]);
  }
  console.log('| bcrypt rounds | ssh2 parseKey (event loop blocked), median of ' + RUNS + ' | rounds read from the header |');
  console.log('| --- | --- | --- |');
  for (const [rounds, parse, header] of rows) console.log(`| ${rounds} | ${parse.toFixed(0)} ms | ${(header * 1000).toFixed(1)} µs |`);
  const perRound = rows.reduce((sum, [rounds, parse]) => sum + parse / rounds, 0) / rows.length;
  const cap = loadConfig({}).ssh.maxKeyKdfRounds;
  console.log(`\n${perRound.toFixed(2)} ms per round; the default cap (${cap} rounds) allows up to ~${((perRound * cap) / 1000).toFixed(1)} s per connect`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
