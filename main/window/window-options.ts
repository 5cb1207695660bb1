// The desktop window's options: a locked box (context isolation, sandbox, no Node, web security on),
// one preload, nothing else. main-window.ts passes these to BrowserWindow unchanged.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the compiled preload (dist/main/preload/preload.cjs). */
  preloadPath: string;
  iconPath: string;
  /** DevTools only in development (unpackaged) runs. */
  devTools: boolean;
}

export function mainWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Vigilink',
    width: 1200,
    height: 800,
    minWidth: 380,
    minHeight: 560,
    // Shown on ready-to-show (or not at all when started hidden at login).
    show: false,
    icon: input.iconPath,
    backgroundColor: '#0b1120',
    autoHideMenuBar: true,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: input.devTools,
    },
  };
}
