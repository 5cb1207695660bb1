// electron-builder.yml checked against electron-builder's own configuration schema
// (node_modules/app-builder-lib/scheme.json) with ajv, plus what the schema cannot say: the fuses,
// the targets, and that every file it names exists (icons at the sizes electron-builder needs).
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { PNG } from 'pngjs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { APP_ID, PRODUCT_NAME } from '../../../main/app-identity.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const config = parse(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;

// strict: false because scheme.json uses annotations ajv's strict mode does not know (electron-builder
// compiles it the same way); unlike electron-builder, no type coercion: a "true" string is an error here.
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const pngSize = (file: string): { width: number; height: number } => {
  const png = PNG.sync.read(fs.readFileSync(path.join(ROOT, file)));
  return { width: png.width, height: png.height };
};

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's configuration schema", () => {
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check catches mistakes (a misspelt key, a wrong type, an unknown fuse)', () => {
    expect(validate({ ...config, productname: 'x' })).toBe(false);
    expect(validate({ ...config, asar: 'yes' })).toBe(false);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNodeX: false } })).toBe(false);
  });

  it('names the app as the main process does', () => {
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
  });

  it('builds AppImage and deb, an NSIS installer, and a dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('turns the risky fuses off and asar integrity on', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it("ships the VPN container's Dockerfile as an extra resource", () => {
    expect(config.extraResources).toEqual([{ from: 'assets/container', to: 'container', filter: ['**/*'] }]);
    expect(fs.existsSync(path.join(ROOT, 'assets/container/Dockerfile')), 'assets/container/Dockerfile is missing').toBe(true);
  });

  it('packs the compiled main process, its preload, the UI and the icons the main process loads', () => {
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/**/*', 'renderer/dist/**/*', 'assets/icons/*.png']));
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(manifest.main).toBe('dist/main/main.js');
  });

  it('has icons at the sizes each platform needs', () => {
    expect(pngSize(config.linux.icon)).toEqual({ width: 512, height: 512 });
    expect(pngSize(config.win.icon)).toEqual({ width: 256, height: 256 });
    expect(pngSize(config.mac.icon)).toEqual({ width: 1024, height: 1024 });
  });

  it('has every app and tray icon the main process and the web manifest load', () => {
    const sizes: [string, number][] = [
      ['icon-16.png', 16],
      ['icon-32.png', 32],
      ['icon-192.png', 192],
      ['icon-256.png', 256],
      ['icon-512.png', 512],
      ['tray-icon.png', 16],
      ['tray-icon@2x.png', 32],
      ['trayTemplate.png', 16],
      ['trayTemplate@2x.png', 32],
    ];
    for (const [file, size] of sizes) expect(pngSize(`assets/icons/${file}`), file).toEqual({ width: size, height: size });
  });

  it("makes the macOS tray icon a template image (black and alpha only)", () => {
    const png = PNG.sync.read(fs.readFileSync(path.join(ROOT, 'assets/icons/trayTemplate@2x.png')));
    let visible = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i + 3]! === 0) continue;
      visible++;
      expect([png.data[i], png.data[i + 1], png.data[i + 2]]).toEqual([0, 0, 0]);
    }
    expect(visible).toBeGreaterThan(50);
  });
});
