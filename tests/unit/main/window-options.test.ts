// The window's options (main/window/window-options.ts): the locked webPreferences of Electron's checklist.
import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../../main/window/window-options.js';

describe('mainWindowOptions', () => {
  const options = mainWindowOptions({ preloadPath: '/app/dist/main/preload/preload.cjs', iconPath: '/app/assets/icons/icon-512.png', devTools: false });
  const web = options.webPreferences!;

  it('isolates the page: context isolation, sandbox, no Node anywhere', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and the risky extras off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web).not.toHaveProperty('enableBlinkFeatures');
    expect(web).not.toHaveProperty('additionalArguments');
  });

  it('loads exactly the given preload, hides until ready, and follows the devTools switch', () => {
    expect(web.preload).toBe('/app/dist/main/preload/preload.cjs');
    expect(options.show).toBe(false);
    expect(options.icon).toBe('/app/assets/icons/icon-512.png');
    expect(web.devTools).toBe(false);
    expect(mainWindowOptions({ preloadPath: 'p', iconPath: 'i', devTools: true }).webPreferences!.devTools).toBe(true);
  });

  it('fits a phone-sized window and opens roomy on a desktop', () => {
    expect(options.minWidth).toBeLessThanOrEqual(390);
    expect(options.width).toBeGreaterThanOrEqual(1024);
  });
});
