// The start-at-login setting (main/settings/start-at-login.ts): on Linux a real XDG autostart file in a
// temp folder; on macOS and Windows Electron's login-item API, stubbed (it exists only inside Electron).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUTOSTART_FILE,
  autostartDir,
  HIDDEN_FLAG,
  launchCommand,
  StartAtLogin,
  startedHidden,
  type LoginItemApi,
} from '../../../main/settings/start-at-login.js';

function stubLoginItems(wasOpenedAtLogin = false) {
  const items = new Map<string, boolean>();
  const key = (o?: { path?: string; args?: string[] }) => JSON.stringify([o?.path ?? null, o?.args ?? null]);
  const calls: unknown[] = [];
  const app: LoginItemApi = {
    getLoginItemSettings: (o) => ({ openAtLogin: items.get(key(o)) ?? false, wasOpenedAtLogin }),
    setLoginItemSettings: (s) => {
      calls.push(s);
      items.set(key(s), s.openAtLogin);
    },
  };
  return { app, calls };
}

const unusedApp: LoginItemApi = {
  getLoginItemSettings: () => {
    throw new Error('Linux must not use the login item API');
  },
  setLoginItemSettings: () => {
    throw new Error('Linux must not use the login item API');
  },
};

describe('start at login on Linux (XDG autostart file)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigilink-autostart-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes, reads back and removes the entry, starting the AppImage hidden', async () => {
    const autostart = path.join(dir, 'config', 'autostart');
    const setting = new StartAtLogin({ platform: 'linux', app: unusedApp, launch: { command: '/home/a b/Vigilink.AppImage', args: [] }, autostartDir: autostart });
    expect(await setting.isEnabled()).toBe(false);
    expect(await setting.setEnabled(true)).toBe(true);
    const text = await fs.readFile(path.join(autostart, AUTOSTART_FILE), 'utf8');
    expect(text).toContain('Exec="/home/a b/Vigilink.AppImage" "--hidden"');
    expect((await fs.readdir(autostart)).sort()).toEqual([AUTOSTART_FILE]);
    expect(await setting.isEnabled()).toBe(true);
    expect(await setting.setEnabled(false)).toBe(false);
    await expect(fs.stat(path.join(autostart, AUTOSTART_FILE))).rejects.toThrow(/ENOENT/);
    expect(await setting.setEnabled(false)).toBe(false);
  });

  it('counts an entry the desktop disabled as off', async () => {
    await fs.writeFile(path.join(dir, AUTOSTART_FILE), '[Desktop Entry]\nExec=x\nX-GNOME-Autostart-enabled=false\n');
    const setting = new StartAtLogin({ platform: 'linux', app: unusedApp, launch: { command: 'x', args: [] }, autostartDir: dir });
    expect(await setting.isEnabled()).toBe(false);
  });

  it('finds the autostart folder from XDG_CONFIG_HOME, else ~/.config', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/a')).toBe('/cfg/autostart');
    expect(autostartDir({}, '/home/a')).toBe('/home/a/.config/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe('/home/a/.config/autostart');
  });
});

describe('start at login on macOS and Windows (stubbed login item API)', () => {
  it('Windows: sets and reads the run key with the same path and the hidden flag', async () => {
    const { app, calls } = stubLoginItems();
    const setting = new StartAtLogin({ platform: 'win32', app, launch: { command: 'C:\\Vigilink\\Vigilink.exe', args: [] }, autostartDir: 'unused' });
    expect(await setting.setEnabled(true)).toBe(true);
    expect(calls).toEqual([{ openAtLogin: true, path: 'C:\\Vigilink\\Vigilink.exe', args: [HIDDEN_FLAG] }]);
    expect(await setting.isEnabled()).toBe(true);
    expect(await setting.setEnabled(false)).toBe(false);
  });

  it('macOS: the app itself as a login item', async () => {
    const { app, calls } = stubLoginItems();
    const setting = new StartAtLogin({ platform: 'darwin', app, launch: { command: '/Applications/Vigilink.app/Contents/MacOS/Vigilink', args: [] }, autostartDir: 'unused' });
    expect(await setting.setEnabled(true)).toBe(true);
    expect(calls).toEqual([{ openAtLogin: true }]);
  });
});

describe('launch command and hidden start', () => {
  it('starts the AppImage file, the packaged executable, or electron with the app folder', () => {
    expect(launchCommand({ execPath: '/tmp/.mount_x/vigilink', isPackaged: true, appPath: '/x', appImage: '/home/a/Vigilink.AppImage' })).toEqual({
      command: '/home/a/Vigilink.AppImage',
      args: [],
    });
    expect(launchCommand({ execPath: '/opt/Vigilink/vigilink', isPackaged: true, appPath: '/x' })).toEqual({ command: '/opt/Vigilink/vigilink', args: [] });
    expect(launchCommand({ execPath: '/repo/node_modules/electron/dist/electron', isPackaged: false, appPath: '/repo' })).toEqual({
      command: '/repo/node_modules/electron/dist/electron',
      args: ['/repo'],
    });
  });

  it('is hidden with --hidden, or on macOS when opened at login', () => {
    expect(startedHidden(['vigilink', HIDDEN_FLAG], 'linux', unusedApp)).toBe(true);
    expect(startedHidden(['vigilink'], 'linux', unusedApp)).toBe(false);
    expect(startedHidden(['Vigilink'], 'darwin', stubLoginItems(true).app)).toBe(true);
    expect(startedHidden(['Vigilink'], 'darwin', stubLoginItems(false).app)).toBe(false);
  });
});
