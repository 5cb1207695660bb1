// The "start at login" setting. macOS and Windows keep it in the OS through app.setLoginItemSettings;
// Linux has no such API in Electron, so it is an XDG autostart entry (~/.config/autostart). A login
// start passes --hidden: the app comes up in the tray, without a window.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { autostartDesktopEntry } from './desktop-entry.js';

export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE = 'vigilink.desktop';

/** The parts of Electron's `app` used here (app satisfies it; tests pass a stub). */
export interface LoginItemApi {
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export interface LaunchCommand {
  command: string;
  args: string[];
}

export interface LaunchCommandInput {
  execPath: string;
  isPackaged: boolean;
  /** The app folder; a development run is `electron <appPath>`. */
  appPath: string;
  /** $APPIMAGE: an AppImage runs from a temporary mount, so login must start the AppImage file itself. */
  appImage?: string | undefined;
}

/** How the OS should start us at login (without the hidden flag). */
export function launchCommand(input: LaunchCommandInput): LaunchCommand {
  if (input.appImage) return { command: input.appImage, args: [] };
  return { command: input.execPath, args: input.isPackaged ? [] : [input.appPath] };
}

/** $XDG_CONFIG_HOME/autostart, or ~/.config/autostart. */
export function autostartDir(env: Record<string, string | undefined>, homeDir: string): string {
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homeDir, '.config');
  return path.join(configHome, 'autostart');
}

export interface StartAtLoginOptions {
  platform: NodeJS.Platform;
  app: LoginItemApi;
  launch: LaunchCommand;
  /** Linux only: where the autostart entry goes. */
  autostartDir: string;
}

export class StartAtLogin {
  constructor(private readonly options: StartAtLoginOptions) {}

  private get loginArgs(): string[] {
    return [...this.options.launch.args, HIDDEN_FLAG];
  }

  private get entryFile(): string {
    return path.join(this.options.autostartDir, AUTOSTART_FILE);
  }

  async isEnabled(): Promise<boolean> {
    const { platform, app, launch } = this.options;
    if (platform === 'linux') {
      try {
        const text = await fs.readFile(this.entryFile, 'utf8');
        return !/^(Hidden=true|X-GNOME-Autostart-enabled=false)$/m.test(text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    }
    // Windows matches the entry by path and args: ask with the same ones that were set.
    if (platform === 'win32') return app.getLoginItemSettings({ path: launch.command, args: this.loginArgs }).openAtLogin;
    return app.getLoginItemSettings().openAtLogin;
  }

  /** Turn it on or off; resolves with the setting as the OS now reports it. */
  async setEnabled(enabled: boolean): Promise<boolean> {
    const { platform, app, launch } = this.options;
    if (platform === 'linux') {
      if (enabled) await this.writeEntry();
      else await fs.rm(this.entryFile, { force: true });
    } else if (platform === 'win32') {
      app.setLoginItemSettings({ openAtLogin: enabled, path: launch.command, args: this.loginArgs });
    } else {
      // macOS 13+: the app itself as a login item; a login start is detected by wasOpenedAtLogin.
      app.setLoginItemSettings({ openAtLogin: enabled });
    }
    return this.isEnabled();
  }

  private async writeEntry(): Promise<void> {
    const text = autostartDesktopEntry({
      name: 'Vigilink',
      comment: 'Reach your GPU cluster from your phone',
      argv: [this.options.launch.command, ...this.loginArgs],
      icon: 'vigilink',
    });
    await fs.mkdir(this.options.autostartDir, { recursive: true });
    // Temp file + rename: a crash never leaves a half-written entry for the session to run.
    const tmp = `${this.entryFile}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, text, { mode: 0o644 });
    await fs.rename(tmp, this.entryFile);
  }
}

/** Whether this run was started at login (so it stays in the tray, no window). */
export function startedHidden(argv: readonly string[], platform: NodeJS.Platform, app: LoginItemApi): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}
