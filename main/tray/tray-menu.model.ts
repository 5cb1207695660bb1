// The tray's menu and tooltip as plain data, computed from the bridge's state; tray.ts turns the model
// into an Electron Menu and wires the actions. Counting lives here so it is unit-tested.
import type { MenuItemConstructorOptions } from 'electron';

export interface TrayStatus {
  /** SSH sessions that are connected now (dropped ones listed for the user do not count). */
  activeSessions: number;
  /** Running VPN containers; null where the bridge has no container capability. */
  containers: number | null;
  openAtLogin: boolean;
}

export type TrayAction = 'open' | 'pair' | 'toggle-open-at-login' | 'quit';

export type TrayMenuItem =
  | { kind: 'action'; action: TrayAction; label: string }
  | { kind: 'checkbox'; action: TrayAction; label: string; checked: boolean }
  | { kind: 'info'; label: string }
  | { kind: 'separator' };

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export function sessionsLabel(status: TrayStatus): string {
  return status.activeSessions === 0 ? 'No active SSH sessions' : `${plural(status.activeSessions, 'active SSH session', 'active SSH sessions')}`;
}

export function containersLabel(status: TrayStatus): string | null {
  if (status.containers === null) return null;
  return status.containers === 0 ? 'No VPN containers' : plural(status.containers, 'VPN container', 'VPN containers');
}

export function trayMenuModel(status: TrayStatus): TrayMenuItem[] {
  const containers = containersLabel(status);
  return [
    { kind: 'action', action: 'open', label: 'Open Vigilink' },
    { kind: 'action', action: 'pair', label: 'Pair a phone…' },
    { kind: 'separator' },
    { kind: 'info', label: sessionsLabel(status) },
    ...(containers === null ? [] : [{ kind: 'info', label: containers } as const]),
    { kind: 'separator' },
    { kind: 'checkbox', action: 'toggle-open-at-login', label: 'Start at login', checked: status.openAtLogin },
    { kind: 'separator' },
    { kind: 'action', action: 'quit', label: 'Quit Vigilink' },
  ];
}

export function trayTooltip(status: TrayStatus): string {
  const containers = containersLabel(status);
  return ['Vigilink', sessionsLabel(status), ...(containers === null ? [] : [containers])].join(' — ');
}

/** The model as Electron menu items; info lines are disabled labels, actions call `act`. */
export function toMenuTemplate(model: readonly TrayMenuItem[], act: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return model.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: item.label, enabled: false };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => act(item.action) };
      case 'action':
        return { label: item.label, click: () => act(item.action) };
    }
  });
}

/** The tray image for the platform: a template image on macOS (tinted by the menu bar), a colour glyph elsewhere. */
export function trayIconFile(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'trayTemplate.png' : 'tray-icon.png';
}
