// The Electron main process (glue only; the logic is in the modules it wires, each unit-tested):
// one instance, the bridge in this process, a tray, one locked window, native notifications.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, ipcMain, session, shell } from 'electron';
import { createBridge, type Bridge } from '../bridge/app.js';
import { loadConfig } from '../bridge/config/config.js';
import { APP_ID } from './app-identity.js';
import { configuredPort, loadDesktopEnv } from './config/desktop-config.js';
import { startupFailureMessage } from './startup-error.js';
import { createIpcHandlers, registerIpcHandlers, TrustedSenders } from './ipc/ipc-handlers.js';
import { wireDesktopNotifications } from './notifications/desktop-notifications.js';
import { createNotifier } from './notifications/notifier.js';
import { liveDesktopEvents } from './bridge-desktop-sources.js';
import { hardenAllWebContents, hardenSession } from './security/harden-web-contents.js';
import { bridgeOrigin, listensOnLoopback } from './security/web-security.policy.js';
import { autostartDir, launchCommand, StartAtLogin, startedHidden } from './settings/start-at-login.js';
import { createDesktopTray } from './tray/tray.js';
import type { TrayAction } from './tray/tray-menu.model.js';
import { TrayStatusWatcher } from './tray/tray-status.js';
import { createMainWindowController } from './window/main-window.js';

const compiledDir = path.dirname(fileURLToPath(import.meta.url));
const iconDir = path.join(app.getAppPath(), 'assets', 'icons');
const windowIcon = path.join(iconDir, 'icon-512.png');

/** The UI's devices view with its "Pair a phone" dialog open (renderer/src/app/router.ts routes by path). */
const PAIR_ROUTE = '/devices?pair=1';

/** Starts the bridge; `port` is where it answers on 127.0.0.1, the only address the window loads from. */
async function startBridge(): Promise<{ bridge: Bridge; port: number }> {
  const bridge = await createBridge(loadConfig());
  try {
    const port = await bridge.listen();
    return { bridge, port: listensOnLoopback(bridge.config.host) ? port : await bridge.listenLoopback() };
  } catch (error) {
    await bridge.close();
    throw error;
  }
}

async function run(): Promise<void> {
  await app.whenReady();
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  const { bridge, port } = await startBridge();
  const { logger, context } = bridge;
  const origin = bridgeOrigin(port);
  hardenSession(session.defaultSession, origin);
  hardenAllWebContents(app, origin, (url) => void shell.openExternal(url), logger);

  const desktopEnv = loadDesktopEnv();
  const loginItem = new StartAtLogin({
    platform: process.platform,
    app,
    launch: launchCommand({ execPath: process.execPath, isPackaged: app.isPackaged, appPath: app.getAppPath(), appImage: desktopEnv.APPIMAGE }),
    autostartDir: autostartDir(desktopEnv, os.homedir()),
  });
  const senders = new TrustedSenders(origin);
  const window = createMainWindowController({
    origin,
    senders,
    preloadPath: path.join(compiledDir, 'preload', 'preload.cjs'),
    iconPath: windowIcon,
    devTools: !app.isPackaged,
  });

  const act = (action: TrayAction): void => {
    if (action === 'open') window.show();
    else if (action === 'pair') window.show(PAIR_ROUTE);
    else if (action === 'quit') app.quit();
    else {
      loginItem
        .isEnabled()
        .then((on) => loginItem.setEnabled(!on))
        .then(() => watcher.refresh())
        .catch((error: unknown) => logger.warn({ err: error }, 'start at login could not be changed'));
    }
  };
  const tray = createDesktopTray(iconDir, act);
  const watcher = new TrayStatusWatcher({
    sources: { sessions: context.sessions, containers: () => bridge.vpn.containerCount(), openAtLogin: () => loginItem.isEnabled() },
    changes: context.state,
    render: (status) => tray.render(status),
    onError: (error) => logger.warn({ err: error }, 'tray status could not be read'),
  });
  await watcher.refresh();

  registerDesktopIpc({ bridge, senders, loginItem, watcher });
  const stopNotifications = wireDesktopNotifications(liveDesktopEvents(context.live, logger), createNotifier(windowIcon, (route) => window.show(route)));

  app.on('second-instance', () => window.show());
  app.on('activate', () => window.show());
  // A listener here keeps Electron from quitting when the window goes: Vigilink lives on in the tray.
  app.on('window-all-closed', () => undefined);

  holdQuitUntilClosed(bridge, () => window.allowClose(), () => {
    watcher.stop();
    stopNotifications();
    tray.destroy();
  });

  if (!startedHidden(process.argv, process.platform, app)) window.show('/');
}

interface DesktopIpcParts {
  bridge: Bridge;
  senders: TrustedSenders;
  loginItem: StartAtLogin;
  watcher: TrayStatusWatcher;
}

/** The window's few IPC calls: the owner token, the app version, start at login (the tray shows it too). */
function registerDesktopIpc({ bridge, senders, loginItem, watcher }: DesktopIpcParts): void {
  registerIpcHandlers(
    ipcMain,
    createIpcHandlers({
      senders,
      logger: bridge.logger,
      services: {
        ownerToken: () => bridge.ownerToken,
        appVersion: () => app.getVersion(),
        startAtLogin: {
          isEnabled: () => loginItem.isEnabled(),
          setEnabled: async (enabled) => {
            const now = await loginItem.setEnabled(enabled);
            void watcher.refresh();
            return now;
          },
        },
      },
    }),
  );
}

/**
 * Quitting waits until SSH sessions are closed and state is saved: the first before-quit is held, the
 * desktop parts stop (`stopDesktop`), the bridge closes, then the app quits for real.
 */
function holdQuitUntilClosed(bridge: Bridge, allowWindowClose: () => void, stopDesktop: () => void): void {
  let closing = false;
  let closed = false;
  app.on('before-quit', (event) => {
    allowWindowClose();
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    stopDesktop();
    bridge.close().then(
      () => undefined,
      (error: unknown) => bridge.logger.error({ err: error }, 'bridge close failed'),
    ).finally(() => {
      closed = true;
      app.quit();
    });
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another Vigilink runs: it gets 'second-instance' and shows its window.
  app.quit();
} else {
  run().catch((error: unknown) => {
    dialog.showErrorBox('Vigilink could not start', startupFailureMessage(error, configuredPort()));
    app.exit(1);
  });
}
