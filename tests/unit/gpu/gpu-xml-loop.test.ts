// The XML fallback's loop mode for real under /bin/sh against the fake nvidia-smi backed by every real -q -x
// capture: awk on the "host" trims each round as the sample script does and writes it whole; the reader
// gives the same GPUs as the full capture; a refused loop ends with nvidia-smi's complaint and exit code.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoopBatch } from '../../../bridge/gpu/gpu-loop.reader.js';
import { xmlLoopCommand } from '../../../bridge/gpu/gpu-sample.script.js';
import { GpuXmlLoopReader } from '../../../bridge/gpu/gpu-xml-loop.reader.js';
import { parseGpuXml } from '../../../bridge/gpu/gpu-xml.parser.js';
import { installFakeNvidiaSmi, type FakeNvidiaSmi } from '../../fixtures/fake-nvidia-smi/install.js';
import { capture, capturesEndingWith } from '../../support/gpu-fixtures.js';

let fake: FakeNvidiaSmi;
beforeAll(() => {
  fake = installFakeNvidiaSmi();
});
afterAll(() => fake?.remove());

interface LoopRun {
  batches: LoopBatch[];
  end: [number, string] | null;
  /** stdout chunks and bytes: each round is flushed whole, not line by line. */
  chunks: number;
  bytes: number;
}

/** Run the loop's command until `rounds` documents came (or it ended), then TERM its process group. */
function runLoop(rounds: number): Promise<LoopRun> {
  const command = xmlLoopCommand(200);
  const script = command.slice("/bin/sh -c '".length, -1);
  const child = spawn('/bin/sh', ['-c', script], { env: { PATH: `${fake.binDir}:/usr/bin:/bin`, FAKE_NVIDIA_SMI_CONTROL: `${fake.dir}/control.json` }, detached: true });
  const run: LoopRun = { batches: [], end: null, chunks: 0, bytes: 0 };
  return new Promise((resolve) => {
    const done = (): void => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Already gone (the loop ended by itself).
      }
      resolve(run);
    };
    const reader = new GpuXmlLoopReader({
      onBatch: (batch) => {
        run.batches.push(batch);
        if (run.batches.length === rounds) done();
      },
      onEnd: (code, output) => {
        run.end = [code, output];
        done();
      },
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      run.chunks++;
      run.bytes += Buffer.byteLength(chunk);
      reader.push(chunk);
    });
  });
}

describe('nvidia-smi -q -x in loop mode', () => {
  it.each(capturesEndingWith('.xml'))('%s: every round reads as the full capture', async (name) => {
    fake.set({ capture: name });
    const run = await runLoop(2);
    expect(run.end).toBeNull();
    const expected = parseGpuXml(capture(name)).gpus;
    expect(run.batches.map((b) => b.gpus)).toEqual([expected, expected]);
  });

  it('flushes each round whole (a few writes per round, not one per line)', async () => {
    fake.set({ capture: 'xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml' });
    const run = await runLoop(3);
    expect(run.batches).toHaveLength(3);
    // awk's stdio writes a flushed round in pieces of at most 4 KiB (an 8-GPU round is about 6 KB: two
    // writes, which the reader may see joined); line by line it would be one write per line.
    expect(run.chunks).toBeLessThanOrEqual(3 * Math.ceil(run.bytes / 3 / 4096));
  });

  it('a driver without loop mode: the loop ends with its exit code and complaint', async () => {
    fake.set({ capture: 'xml-tesla-t4-processes-telegraf.xml', no_loop: true });
    const run = await runLoop(1);
    expect(run.batches).toHaveLength(0);
    expect(run.end).toEqual([2, expect.stringMatching(/^Invalid combination of input arguments/)]);
  });
});
