// The platform seam: what differs between the desktop window (Electron, with its preload's window.vigilink)
// and a browser on a phone. Views use only this interface; detectPlatform() picks the implementation.
import { desktopPlatform, desktopApi } from './desktop-platform';
import { webPlatform } from './web-platform';

export interface HostPlatform {
  kind: 'desktop' | 'web';
  /** The owner token handed over by the desktop shell; null in a browser. */
  ownerToken(): Promise<string | null>;
  /** The desktop app's version, when there is one. */
  appVersion(): Promise<string | null>;
  /** A system notification (GPU alert, new pairing); silently nothing where not allowed. */
  notify(title: string, body: string): void;
  /** Save a downloaded file (the browser's download; Electron asks where). */
  saveFile(name: string, blob: Blob): Promise<void>;
  /** The desktop app's "start when I log in" setting; null where there is no such thing. */
  startAtLogin: { get(): Promise<boolean>; set(enabled: boolean): Promise<boolean> } | null;
}

export function detectPlatform(): HostPlatform {
  const api = desktopApi();
  return api ? desktopPlatform(api) : webPlatform();
}
