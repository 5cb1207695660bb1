// The tray's menu model and tooltip from the bridge's state (main/tray/tray-menu.model.ts).
import { describe, expect, it } from 'vitest';
import { toMenuTemplate, trayIconFile, trayMenuModel, trayTooltip, type TrayAction } from '../../../main/tray/tray-menu.model.js';

const labels = (status: Parameters<typeof trayMenuModel>[0]) =>
  trayMenuModel(status).map((item) => (item.kind === 'separator' ? '---' : item.label));

describe('tray menu model', () => {
  it('offers open, pair, the counts, start at login and quit, in that order', () => {
    expect(labels({ activeSessions: 2, containers: 1, openAtLogin: false })).toEqual([
      'Open Vigilink',
      'Pair a phone…',
      '---',
      '2 active SSH sessions',
      '1 VPN container',
      '---',
      'Start at login',
      '---',
      'Quit Vigilink',
    ]);
  });

  it('words zero and one naturally', () => {
    expect(labels({ activeSessions: 0, containers: 0, openAtLogin: false })).toContain('No active SSH sessions');
    expect(labels({ activeSessions: 0, containers: 0, openAtLogin: false })).toContain('No VPN containers');
    expect(labels({ activeSessions: 1, containers: 3, openAtLogin: false })).toEqual(expect.arrayContaining(['1 active SSH session', '3 VPN containers']));
  });

  it('leaves the container line out where the bridge has no container capability', () => {
    expect(labels({ activeSessions: 1, containers: null, openAtLogin: false }).some((l) => l.includes('container'))).toBe(false);
  });

  it('shows the start-at-login setting as a checkbox', () => {
    const item = (on: boolean) => trayMenuModel({ activeSessions: 0, containers: 0, openAtLogin: on }).find((i) => i.kind === 'checkbox');
    expect(item(true)).toMatchObject({ action: 'toggle-open-at-login', checked: true });
    expect(item(false)).toMatchObject({ checked: false });
  });

  it('sums the counts up in the tooltip', () => {
    expect(trayTooltip({ activeSessions: 3, containers: 2, openAtLogin: false })).toBe('Vigilink — 3 active SSH sessions — 2 VPN containers');
    expect(trayTooltip({ activeSessions: 0, containers: null, openAtLogin: true })).toBe('Vigilink — No active SSH sessions');
  });
});

describe('menu template', () => {
  it('turns counts into disabled lines and actions into clicks that name the action', () => {
    const acted: TrayAction[] = [];
    const template = toMenuTemplate(trayMenuModel({ activeSessions: 1, containers: 1, openAtLogin: true }), (a) => acted.push(a));
    const info = template.filter((t) => t.enabled === false).map((t) => t.label);
    expect(info).toEqual(['1 active SSH session', '1 VPN container']);
    expect(template.filter((t) => t.type === 'separator')).toHaveLength(3);
    const checkbox = template.find((t) => t.type === 'checkbox')!;
    expect(checkbox.checked).toBe(true);
    for (const item of template) item.click?.(undefined as never, undefined as never, undefined as never);
    expect(acted).toEqual(['open', 'pair', 'toggle-open-at-login', 'quit']);
  });
});

describe('tray icon', () => {
  it('is a template image on macOS and the colour glyph elsewhere', () => {
    expect(trayIconFile('darwin')).toBe('trayTemplate.png');
    expect(trayIconFile('linux')).toBe('tray-icon.png');
    expect(trayIconFile('win32')).toBe('tray-icon.png');
  });
});
