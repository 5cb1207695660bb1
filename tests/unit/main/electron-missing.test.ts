// The "Electron missing" path of `npm start` (main/launcher): finding the binary as electron/index.js
// does, the message, and the real check script exiting 1 with it.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronMissingMessage, findElectronBinary, platformBinaryPath } from '../../../main/launcher/electron-binary.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

describe('findElectronBinary', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigilink-electron-'));
    await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ version: '41.7.1' }));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const find = (env: Record<string, string> = {}) => findElectronBinary({ electronDir: dir, env, platform: 'linux', arch: 'x64' });

  it('is missing when the download script never ran (no path.txt, no dist)', () => {
    expect(find()).toEqual({ found: false, expectedPath: path.join(dir, 'dist', 'electron'), version: '41.7.1', platform: 'linux', arch: 'x64', override: null });
  });

  it('is missing when path.txt names a binary that is not there', async () => {
    await fs.writeFile(path.join(dir, 'path.txt'), 'electron');
    expect(find().found).toBe(false);
  });

  it('is found once downloaded (path.txt and the binary)', async () => {
    await fs.writeFile(path.join(dir, 'path.txt'), 'electron');
    await fs.mkdir(path.join(dir, 'dist'));
    await fs.writeFile(path.join(dir, 'dist', 'electron'), '');
    expect(find()).toEqual({ found: true, path: path.join(dir, 'dist', 'electron') });
  });

  it('follows ELECTRON_OVERRIDE_DIST_PATH like electron/index.js', async () => {
    const override = path.join(dir, 'unpacked');
    expect(find({ ELECTRON_OVERRIDE_DIST_PATH: override })).toMatchObject({ found: false, override, expectedPath: path.join(override, 'electron') });
    await fs.mkdir(override);
    await fs.writeFile(path.join(override, 'electron'), '');
    expect(find({ ELECTRON_OVERRIDE_DIST_PATH: override })).toEqual({ found: true, path: path.join(override, 'electron') });
  });

  it('knows each platform binary name', () => {
    expect(platformBinaryPath('linux')).toBe('electron');
    expect(platformBinaryPath('win32')).toBe('electron.exe');
    expect(platformBinaryPath('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
  });
});

describe('the Electron-missing message', () => {
  const missing = { found: false as const, expectedPath: '/repo/node_modules/electron/dist/electron', version: '41.7.1', platform: 'linux' as const, arch: 'x64', override: null };

  it('says what is missing, where it looked, why, and the ways to get it', () => {
    const message = electronMissingMessage(missing);
    expect(message).toContain('the Electron 41.7.1 binary is missing');
    expect(message).toContain('Looked for: /repo/node_modules/electron/dist/electron');
    expect(message).toContain('allowScripts');
    expect(message).toContain('node node_modules/electron/install.js');
    expect(message).toContain('electron-v41.7.1-linux-x64.zip');
    expect(message).toContain('ELECTRON_OVERRIDE_DIST_PATH=/that/folder npm start');
    expect(message).toContain('npm run serve');
  });

  it('names the override when that is where it looked', () => {
    expect(electronMissingMessage({ ...missing, override: '/opt/e', expectedPath: '/opt/e/electron' })).toContain(
      'ELECTRON_OVERRIDE_DIST_PATH is set to /opt/e, but it has no electron binary',
    );
  });

  it("npm start's check exits 1 with the message when the binary is not there", async () => {
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'vigilink-no-electron-'));
    try {
      const result = await run(process.execPath, ['--import', 'tsx', 'main/launcher/check-electron.ts'], {
        cwd: ROOT,
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('the Electron 41.7.1 binary is missing');
      expect(result.stderr).toContain(`Looked for: ${path.join(empty, 'electron')}`);
    } finally {
      await fs.rm(empty, { recursive: true, force: true });
    }
  });
});
