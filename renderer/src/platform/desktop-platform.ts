// HostPlatform inside the Electron window: the preload's window.vigilink (contextBridge) hands over the
// owner token, the version and the start-at-login setting. Notifications are the main process's own
// (native, from the bridge's events), so the page shows none of its own there.
import type { VigilinkDesktopApi as ShellDesktopApi } from '../../../bridge/contracts/desktop-api';
import type { HostPlatform } from './host-platform';
import { browserDownload } from './web-platform';

/** What the desktop shell's preload exposes; members are feature-tested, as an older shell may lack some. */
export type VigilinkDesktopApi = Partial<ShellDesktopApi>;

declare global {
  interface Window {
    vigilink?: VigilinkDesktopApi;
  }
}

export function desktopApi(): VigilinkDesktopApi | null {
  const api = window.vigilink;
  return api && typeof api === 'object' ? api : null;
}

export function desktopPlatform(api: VigilinkDesktopApi): HostPlatform {
  const { getOpenAtLogin, setOpenAtLogin } = api;
  return {
    kind: 'desktop',
    async ownerToken() {
      const token = await api.getOwnerToken?.();
      return typeof token === 'string' && token ? token : null;
    },
    async appVersion() {
      return (await api.appVersion?.()) ?? null;
    },
    notify: () => undefined,
    saveFile: browserDownload,
    startAtLogin:
      getOpenAtLogin && setOpenAtLogin
        ? { get: () => getOpenAtLogin.call(api), set: (enabled) => setOpenAtLogin.call(api, enabled) }
        : null,
  };
}
