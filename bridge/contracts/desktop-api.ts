// The one API the desktop window's preload puts on `window.vigilink`, shared by the preload (main/) and the
// renderer. Phones have no such object: the renderer checks for it and falls back to its web platform.
// Types only, so the sandboxed preload's import of it leaves nothing behind.

export interface VigilinkDesktopApi {
  /** The bridge's owner token (the desktop UI is the owner): send it as `Authorization: Bearer` and as socket.io `auth.token`. */
  getOwnerToken(): Promise<string>;
  /** The desktop app's version, e.g. "0.1.0". */
  appVersion(): Promise<string>;
  /** Whether Vigilink starts (hidden, in the tray) when the user logs in. */
  getOpenAtLogin(): Promise<boolean>;
  /** Turn start-at-login on or off; resolves with the setting as it now is. */
  setOpenAtLogin(enabled: boolean): Promise<boolean>;
}
