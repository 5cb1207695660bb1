// A shell nvidia-smi for the benchmarks: it prints answers rendered once by the real-capture fake (so the
// host's own cost stays small and the figures are the bridge's), loop mode included (CSV and -q -x); flags
// make it reject loop mode or the CSV query (a driver that lacks a field).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { APP_QUERY_FIELDS, GPU_QUERY_FIELDS } from '../bridge/gpu/gpu-sample.script.js';
import type { installFakeNvidiaSmi } from '../tests/fixtures/fake-nvidia-smi/install.js';

/** A shell nvidia-smi printing answers rendered once by the real-capture fake (or rejecting loop mode, or the CSV query). */
export function installShellFake(dir: string, nodeFake: ReturnType<typeof installFakeNvidiaSmi>): { rejectQueries(on: boolean): void; rejectLoop(on: boolean): void } {
  const env = { ...process.env, FAKE_NVIDIA_SMI_CONTROL: path.join(nodeFake.dir, 'control.json') };
  const render = (args: string[]) => execFileSync(path.join(nodeFake.binDir, 'nvidia-smi'), args, { env });
  fs.writeFileSync(path.join(dir, 'gpu.csv'), render([`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits']));
  fs.writeFileSync(path.join(dir, 'apps.csv'), render([`--query-compute-apps=${APP_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits']));
  fs.writeFileSync(path.join(dir, 'log.xml'), render(['-q', '-x']));
  const flag = path.join(dir, 'reject');
  const noLoop = path.join(dir, 'noloop');
  const script = [
    '#!/bin/sh',
    // Loop mode: the answer every N ms (the last argument) from one process, as nvidia-smi -lms does (-q -x too).
    `case "$*" in *-lms*) if [ -e ${noLoop} ]; then echo "Invalid combination of input arguments."; exit 2; fi; for a; do ms=$a; done; s=$(echo "$ms" | awk '{ printf "%.3f", $1 / 1000 }'); f=${dir}/log.xml; case "$*" in *--query-gpu=*) if [ -e ${flag} ]; then printf 'Field "power.draw" is not a valid field to query.\\n\\n'; exit 2; fi; f=${dir}/gpu.csv ;; *--query-compute-apps=*) f=${dir}/apps.csv ;; esac; while :; do cat $f; sleep $s; done ;; esac`,
    `case "$*" in`,
    `  *--query-gpu=*) if [ -e ${flag} ]; then printf 'Field "power.draw" is not a valid field to query.\\n\\n'; exit 2; fi; cat ${dir}/gpu.csv ;;`,
    `  *--query-compute-apps=*) cat ${dir}/apps.csv ;;`,
    `  *) cat ${dir}/log.xml ;;`,
    'esac',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'nvidia-smi'), `${script}\n`, { mode: 0o755 });
  for (const name of ['gpu.csv', 'apps.csv', 'log.xml']) fs.chmodSync(path.join(dir, name), 0o644);
  const toggle = (file: string, on: boolean): void => (on ? fs.writeFileSync(file, '') : fs.rmSync(file, { force: true }));
  return { rejectQueries: (on) => toggle(flag, on), rejectLoop: (on) => toggle(noLoop, on) };
}

