// Glue: the one desktop window. Closing it hides it (the app lives on in the tray) unless the app is
// quitting; it loads only the bridge's UI.
import { BrowserWindow } from 'electron';
import { mainWindowOptions, type WindowOptionsInput } from './window-options.js';
import type { TrustedSenders } from '../ipc/ipc-handlers.js';

export interface MainWindowController {
  /** Show the window (creating it if needed) at a route of the UI, e.g. "/" or "/devices?pair=1". */
  show(route?: string): void;
  /** Let the next close really close (quit). */
  allowClose(): void;
}

export interface MainWindowOptions extends WindowOptionsInput {
  origin: string;
  senders: TrustedSenders;
}

export function createMainWindowController(options: MainWindowOptions): MainWindowController {
  let window: BrowserWindow | null = null;
  let quitting = false;

  const create = (route: string, visible: boolean): BrowserWindow => {
    const win = new BrowserWindow(mainWindowOptions(options));
    const id = win.webContents.id;
    options.senders.add(id);
    win.once('ready-to-show', () => {
      if (visible) win.show();
    });
    win.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      options.senders.remove(id);
      window = null;
    });
    void win.loadURL(new URL(route, options.origin).toString());
    return win;
  };

  return {
    show(route) {
      if (!window) {
        window = create(route ?? '/', true);
        return;
      }
      if (route) void window.loadURL(new URL(route, options.origin).toString());
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
    },
    allowClose() {
      quitting = true;
    },
  };
}
