// Glue: the tray icon and its menu, rebuilt from the model on every status change.
import path from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import { toMenuTemplate, trayIconFile, trayMenuModel, trayTooltip, type TrayAction, type TrayStatus } from './tray-menu.model.js';

export interface DesktopTray {
  render(status: TrayStatus): void;
  destroy(): void;
}

export function createDesktopTray(iconDir: string, act: (action: TrayAction) => void): DesktopTray {
  const image = nativeImage.createFromPath(path.join(iconDir, trayIconFile(process.platform)));
  if (process.platform === 'darwin') image.setTemplateImage(true);
  const tray = new Tray(image);
  // Linux trays (AppIndicator) have no click event; the menu is the way in. Elsewhere a click opens the window.
  tray.on('click', () => act('open'));
  return {
    render(status) {
      tray.setToolTip(trayTooltip(status));
      tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(trayMenuModel(status), act)));
    },
    destroy: () => tray.destroy(),
  };
}
