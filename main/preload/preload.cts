// The desktop window's preload: puts the typed VigilinkDesktopApi on window.vigilink and nothing else.
// The window is sandboxed, so this file is CommonJS and self-contained (a sandboxed preload may require
// only 'electron' and a few Node built-ins, none of our modules).
import type { ContextBridge, IpcRenderer } from 'electron';
import type { VigilinkDesktopApi } from '../../bridge/contracts/desktop-api.js';

// Repeated from ../ipc/ipc-channels.ts (not importable here); tests/unit/main/preload.stubbed.test.ts
// runs this file and checks that it invokes exactly IpcChannel's names.
const PRELOAD_CHANNELS = {
  getOwnerToken: 'vigilink:get-owner-token',
  appVersion: 'vigilink:app-version',
  getOpenAtLogin: 'vigilink:get-open-at-login',
  setOpenAtLogin: 'vigilink:set-open-at-login',
} as const;

/**
 * Each method is a fixed ipcRenderer.invoke: the page never gets ipcRenderer itself, an event object
 * or a way to name a channel.
 */
function createVigilinkApi(ipc: Pick<IpcRenderer, 'invoke'>): VigilinkDesktopApi {
  return Object.freeze({
    getOwnerToken: (): Promise<string> => ipc.invoke(PRELOAD_CHANNELS.getOwnerToken),
    appVersion: (): Promise<string> => ipc.invoke(PRELOAD_CHANNELS.appVersion),
    getOpenAtLogin: (): Promise<boolean> => ipc.invoke(PRELOAD_CHANNELS.getOpenAtLogin),
    setOpenAtLogin: (enabled: boolean): Promise<boolean> => ipc.invoke(PRELOAD_CHANNELS.setOpenAtLogin, enabled),
  });
}

function exposeVigilinkApi(contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>, ipc: Pick<IpcRenderer, 'invoke'>): void {
  contextBridge.exposeInMainWorld('vigilink', createVigilinkApi(ipc));
}

// Only in a renderer process: loaded anywhere else (a stray import in the main process), it does nothing.
if (process.type === 'renderer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sandbox's require is the only way in
  const electron = require('electron') as typeof import('electron');
  exposeVigilinkApi(electron.contextBridge, electron.ipcRenderer);
}
