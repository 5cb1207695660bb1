// The desktop app's settings from the environment (main/config/desktop-config.ts): the variables it keeps,
// and the port the error box names when the bridge cannot listen.
import { describe, expect, it } from 'vitest';
import { configuredPort, loadDesktopEnv } from '../../../main/config/desktop-config.js';

describe('loadDesktopEnv', () => {
  it('keeps the variables the desktop app reads, frozen, and nothing else', () => {
    const env = loadDesktopEnv({ APPIMAGE: '/home/ann/Vigilink.AppImage', XDG_CONFIG_HOME: '/home/ann/.cfg', PATH: '/usr/bin' });
    expect(env).toEqual({ APPIMAGE: '/home/ann/Vigilink.AppImage', XDG_CONFIG_HOME: '/home/ann/.cfg' });
    expect(Object.isFrozen(env)).toBe(true);
  });
});

describe('configuredPort', () => {
  it('is VIGILINK_PORT, or the bridge default when it is unset or the configuration is bad', () => {
    expect(configuredPort({ VIGILINK_PORT: '9100' })).toBe(9100);
    expect(configuredPort({})).toBe(8000);
    expect(configuredPort({ VIGILINK_PORT: 'lots' })).toBe(8000);
  });
});
