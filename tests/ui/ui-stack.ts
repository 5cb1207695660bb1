// The real parts behind the UI tests: the test account's sshd (with a fake nvidia-smi on its PATH that
// replays a real capture), files to browse in the account's home, and a bridge on a loopback port whose
// pairing URLs point at that same loopback address (tests never reach beyond 127.0.0.1).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { freePort, startSshd, type Sshd } from '../support/sshd.js';
import { ensureTestAccount, FIXTURE_DIR, TEST_USER, type TestAccount } from '../support/test-account.js';

export interface UiStack {
  bridge: TestBridge;
  baseUrl: string;
  token: string;
  sshd: Sshd;
  account: TestAccount;
  /** Folder in the account's home with the files the Files view browses. */
  filesDir: string;
  filesDirName: string;
  /** What the fake nvidia-smi plays: a capture file or a failure mode (read on every call). */
  setGpuHost(control: { capture?: string; mode?: 'capture' | 'no-devices' | 'driver-failed' }): void;
  close(): Promise<void>;
}

export const GPU_CAPTURE = path.resolve('tests/fixtures/nvidia-smi/xml-gtx1080-2gpu-procs-a0s.xml');
const FAKE_NVIDIA_SMI = path.resolve('tests/fixtures/fake-nvidia-smi/fake-nvidia-smi.mjs');

/** A small gradient PNG for the image preview. */
async function writePng(file: string): Promise<void> {
  const { PNG } = await import('pngjs');
  const png = new PNG({ width: 96, height: 64 });
  for (let y = 0; y < png.height; y += 1) {
    for (let x = 0; x < png.width; x += 1) {
      const i = (png.width * y + x) << 2;
      png.data[i] = 20 + x * 2;
      png.data[i + 1] = 120 + y;
      png.data[i + 2] = 160;
      png.data[i + 3] = 255;
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

async function prepareFiles(home: string): Promise<{ dir: string; name: string }> {
  const name = 'vigilink-ui';
  const dir = path.join(home, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'results', 'run-42'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'train.log'),
    Array.from({ length: 40 }, (_, i) => `epoch ${String(i + 1).padStart(2, ' ')}  loss ${(2.4 / (i + 1)).toFixed(4)}  acc ${(0.5 + i * 0.012).toFixed(3)}`).join('\n') + '\nTraining finished: best acc 0.968\n',
  );
  fs.writeFileSync(path.join(dir, 'notes.md'), '# Experiment notes\n\nBaseline run on 2 GPUs. Learning rate 3e-4, batch 256.\n');
  await writePng(path.join(dir, 'loss-curve.png'));
  // Random bytes: a download must come back byte for byte (3 MiB, several network chunks).
  fs.writeFileSync(path.join(dir, 'checkpoint.bin'), crypto.randomBytes(3 * 1024 * 1024 + 123));
  fs.writeFileSync(path.join(dir, 'results', 'run-42', 'metrics.csv'), 'step,loss\n1,2.4\n2,1.2\n');
  execFileSync('chown', ['-R', `${TEST_USER}:${TEST_USER}`, dir]);
  return { dir, name };
}

/** A PATH folder with `nvidia-smi` running the fake against a control file the test rewrites. */
function prepareGpuHost(): { binDir: string; control: string } {
  const binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-ui-gpu-'));
  fs.chmodSync(binDir, 0o755);
  const script = path.join(binDir, 'nvidia-smi');
  fs.writeFileSync(script, `#!/bin/sh\nexec ${process.execPath} ${FAKE_NVIDIA_SMI} "$@"\n`, { mode: 0o755 });
  const control = path.join(binDir, 'control.json');
  fs.writeFileSync(control, JSON.stringify({ capture: GPU_CAPTURE, mode: 'capture' }), { mode: 0o644 });
  return { binDir, control };
}

export async function startUiStack(): Promise<UiStack> {
  const account = ensureTestAccount(FIXTURE_DIR);
  const files = await prepareFiles(account.home);
  const gpu = prepareGpuHost();
  const sshd = await startSshd({
    extraConfig: [`SetEnv PATH=${gpu.binDir}:/usr/local/bin:/usr/bin:/bin FAKE_NVIDIA_SMI_CONTROL=${gpu.control}`],
  });
  const port = await freePort();
  const bridge = await startBridge({
    VIGILINK_PORT: String(port),
    VIGILINK_PUBLIC_URL: `http://127.0.0.1:${port}`,
    VIGILINK_LOG_LEVEL: 'debug',
    // The phone's sessions go to the loopback sshd, which devices may only reach when the owner allows it.
    VIGILINK_DEVICE_LOCAL_TARGETS: '1',
  });
  return {
    bridge,
    baseUrl: bridge.baseUrl,
    token: bridge.token,
    sshd,
    account,
    filesDir: files.dir,
    filesDirName: files.name,
    setGpuHost: (control) => fs.writeFileSync(gpu.control, JSON.stringify({ capture: GPU_CAPTURE, mode: 'capture', ...control })),
    async close() {
      await bridge.close();
      await sshd.stop();
      fs.rmSync(gpu.binDir, { recursive: true, force: true });
      fs.rmSync(sshd.dir, { recursive: true, force: true });
      fs.rmSync(bridge.dataDir, { recursive: true, force: true });
      fs.rmSync(files.dir, { recursive: true, force: true });
    },
  };
}
