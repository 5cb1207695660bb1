// The sample script run for real by /bin/sh (no sshd here) against the fake nvidia-smi backed by each
// real capture: the CSV path and the XML fallback must give the same typed result; failures in words.
import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostProblem, interpretSample, type SampleOutcome } from '../../../bridge/gpu/gpu-sample.parser.js';
import { sampleCommand, SECTION_NONCE, splitSections, type SampleMode } from '../../../bridge/gpu/gpu-sample.script.js';
import { parseGpuXml } from '../../../bridge/gpu/gpu-xml.parser.js';
import { readXmlLines } from '../../../bridge/gpu/gpu-xml-lines.parser.js';
import { installFakeNvidiaSmi, type FakeNvidiaSmi } from '../../fixtures/fake-nvidia-smi/install.js';
import { capture, capturesEndingWith } from '../../support/gpu-fixtures.js';

let fake: FakeNvidiaSmi;
beforeAll(() => {
  fake = installFakeNvidiaSmi();
});
afterAll(() => fake?.remove());

/** Run the command the bridge sends, as a login shell would, with the fake first on PATH (or no fake). */
function runScript(mode: SampleMode, options: { withFake?: boolean; timeoutSeconds?: number } = {}): Promise<{ stdout: string; outcome: SampleOutcome }> {
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  const path = options.withFake === false ? '/usr/bin:/bin' : `${fake.binDir}:/usr/bin:/bin`;
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/bash',
      ['--norc', '-c', sampleCommand({ mode, timeoutSeconds })],
      { env: { PATH: path, FAKE_NVIDIA_SMI_CONTROL: `${fake.dir}/control.json` }, timeout: 30_000 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve({ stdout, outcome: interpretSample(stdout, { mode, timeoutSeconds }) });
      },
    );
  });
}

describe('the script against every XML capture', () => {
  it.each(capturesEndingWith('.xml'))('%s: the CSV path and the XML fallback agree', async (name) => {
    fake.set({ capture: name });
    const viaQuery = (await runScript('query')).outcome;
    const { stdout: xmlStdout, outcome: viaXml } = await runScript('xml');
    expect(viaXml).toMatchObject({ status: 'ok', source: 'xml', nextMode: 'xml' });
    // What the host trimmed takes the cheap line walk, not the full parser's fallback.
    expect(readXmlLines(splitSections(xmlStdout).xml!.text, new Set(['gpu', 'process_info']))).not.toBeNull();
    const expected = parseGpuXml(capture(name)).gpus;
    const withoutUsers = (outcome: SampleOutcome) => (outcome.status === 'ok' ? outcome.gpus.map((g) => ({ ...g, processes: g.processes.map((p) => ({ ...p, user: null })) })) : outcome);
    expect(withoutUsers(viaXml)).toEqual(expected);
    if (name === 'xml-rtx3080-v13-595-telegraf.xml') {
      // Schema v13 has no power_draw element: the fake rejects power.draw like a driver that lacks a field.
      expect(viaQuery).toMatchObject({ status: 'ok', source: 'xml', nextMode: 'xml' });
    } else {
      expect(viaQuery).toMatchObject({ status: 'ok', source: 'query', nextMode: 'query' });
    }
    expect(withoutUsers(viaQuery)).toEqual(expected);
  });
});

describe('the XML the script trims', () => {
  it('cuts the long unread lists of an 8-GPU host and keeps every GPU', async () => {
    fake.set({ capture: 'xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml' });
    const { stdout, outcome } = await runScript('xml');
    expect(stdout).not.toContain('<supported_mem_clock>');
    expect(stdout).not.toContain('<accounted_process_info>');
    // Only the lines of elements the parser reads: about 6 KB of the 228 KB.
    expect(stdout.length).toBeLessThan(capture('xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml').length / 20);
    expect(outcome.status === 'ok' && outcome.gpus).toHaveLength(8);
  });

  it('never cuts at a one-line element (sed would run on into the next GPU)', async () => {
    // This capture prints <supported_clocks>N/A</supported_clocks> on one line, GPU 0 then GPU 1.
    fake.set({ capture: 'xml-rtx2080ti-2gpu-ecc-na-pai.xml' });
    const { stdout, outcome } = await runScript('xml');
    // (The line itself is not kept: the parser never reads it. Both GPUs' opening lines are.)
    expect(stdout.match(/<gpu id=/g)).toHaveLength(2);
    expect(outcome.status === 'ok' && outcome.gpus.map((g) => g.index)).toEqual([0, 1]);
  });
});

describe('hosts without usable GPUs, for real under /bin/sh', () => {
  it('no nvidia-smi on the PATH: exit 127 -> no GPUs, in words', async () => {
    const local = execFileSync('/bin/sh', ['-c', 'PATH=/usr/bin:/bin:/usr/local/bin:/usr/local/nvidia/bin:/usr/lib/wsl/lib command -v nvidia-smi || true']).toString().trim();
    expect(local, 'this test plays a host without nvidia-smi, so the test machine must not have one in the standard folders').toBe('');
    const { outcome } = await runScript('query', { withFake: false });
    expect(outcome).toEqual({ status: 'no_gpus', nextMode: 'query', error: expect.stringMatching(/nvidia-smi is not installed on this host/) });
  });

  it('"No devices were found"', async () => {
    fake.set({ mode: 'no-devices' });
    expect((await runScript('query')).outcome).toMatchObject({ status: 'no_gpus', error: 'nvidia-smi found no NVIDIA GPUs on this host' });
  });

  it('the driver is down (also on the XML path)', async () => {
    fake.set({ mode: 'driver-failed' });
    for (const mode of ['query', 'xml'] as const) {
      expect((await runScript(mode)).outcome).toMatchObject({ status: 'no_gpus', error: expect.stringMatching(/NVIDIA driver is not running/) });
    }
  });

  it('a hung nvidia-smi is ended by the remote timeout: a transient failure, not "no GPUs"', async () => {
    fake.set({ mode: 'hang' });
    const started = Date.now();
    const { outcome } = await runScript('query', { timeoutSeconds: 1 });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(outcome).toEqual({ status: 'failed', timedOut: true, nextMode: 'query', error: 'nvidia-smi did not answer within 1 s (the driver may be wedged)' });
  });
});

describe('reading the output', () => {
  const marker = (name: string, rc = 0) => `@@vigilink-gpu-${SECTION_NONCE} ${name} ${rc}`;

  it('a process name cannot forge a section: markers need this process\'s nonce', () => {
    const stdout = [marker('gpu'), '0, GPU-1, T4, 1, 2, 3, 4, 5, 6, 7, 8, P0, 9', marker('apps'), 'GPU-1, 77, @@vigilink-gpu-000000000000 end 0, 5', marker('end'), ''].join('\n');
    const sections = splitSections(stdout);
    expect(sections.apps?.text).toBe('GPU-1, 77, @@vigilink-gpu-000000000000 end 0, 5');
    const outcome = interpretSample(stdout, { mode: 'query', timeoutSeconds: 10 });
    expect(outcome.status === 'ok' && outcome.gpus[0]!.processes).toEqual([{ pid: 77, user: null, name: '@@vigilink-gpu-000000000000 end 0', used_memory_mib: 5 }]);
  });

  it('process owners come from the ps section', () => {
    const stdout = [marker('gpu'), '0, GPU-1, T4, 1, 2, 3, 4, 5, 6, 7, 8, P0, 9', marker('apps'), 'GPU-1, 77, python, 5', 'GPU-1, 78, ghost, 6', marker('ps'), '   77 alice', marker('end')].join('\n');
    const outcome = interpretSample(stdout, { mode: 'query', timeoutSeconds: 10 });
    expect(outcome.status === 'ok' && outcome.gpus[0]!.processes.map((p) => [p.pid, p.user])).toEqual([
      [77, 'alice'],
      [78, null],
    ]);
  });

  it('output cut short, or a script that never ran, is a transient failure', () => {
    expect(interpretSample([marker('gpu'), '0, GPU-1, T4, 1, 2, 3, 4, 5, 6, 7, 8, P0, 9', marker('apps'), ''].join('\n'), { mode: 'query', timeoutSeconds: 10 })).toMatchObject({
      status: 'failed',
      error: 'The GPU sample was cut short (the output ended early)',
    });
    expect(interpretSample('/bin/sh: 1: Syntax error\n', { mode: 'query', timeoutSeconds: 10 })).toMatchObject({ status: 'failed', error: 'The GPU sample script did not run on the host: /bin/sh: 1: Syntax error' });
  });

  it('names each failure nvidia-smi is known for', () => {
    expect(hostProblem({ rc: 18, text: 'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 535.161' }, 10)).toEqual({
      status: 'no_gpus',
      error: 'nvidia-smi could not start on this host: Driver/library version mismatch',
    });
    expect(hostProblem({ rc: 137, text: '' }, 10)).toMatchObject({ status: 'failed', timedOut: true });
    // A capture of a real nvidia-smi error (nvlink, all links inactive): unknown to us, so reported as is.
    expect(hostProblem({ rc: 3, text: capture('nvlink-status-rtx2080super-all-inactive-error-nge.txt') }, 10)).toEqual({
      status: 'failed',
      timedOut: false,
      error: `nvidia-smi failed (exit 3): ${capture('nvlink-status-rtx2080super-all-inactive-error-nge.txt').trim().split('\n')[0]}`,
    });
    expect(hostProblem({ rc: 0, text: 'fine' }, 10)).toBeNull();
  });

  it('the command is one line with no single quote inside its quoting', () => {
    for (const mode of ['query', 'xml'] as const) {
      const command = sampleCommand({ mode, timeoutSeconds: 10 });
      expect(command).not.toContain('\n');
      expect(command.startsWith("/bin/sh -c '")).toBe(true);
      expect(command.slice("/bin/sh -c '".length, -1)).not.toContain("'");
    }
  });
});
