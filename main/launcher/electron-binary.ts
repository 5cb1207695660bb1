// Finds the Electron binary the way node_modules/electron/index.js does, without throwing, and words
// the message `npm start` prints when it is missing (npm ci here never downloads it: allowScripts).
import fs from 'node:fs';
import path from 'node:path';

/** The binary's path inside Electron's dist folder, per platform (as electron/install.js names it). */
export function platformBinaryPath(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    default:
      return 'electron';
  }
}

export type ElectronBinary =
  | { found: true; path: string }
  | { found: false; expectedPath: string; version: string; platform: NodeJS.Platform; arch: string; override: string | null };

export interface FindElectronInput {
  /** node_modules/electron */
  electronDir: string;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  arch: string;
  exists?: (file: string) => boolean;
  readText?: (file: string) => string | null;
}

const readTextOrNull = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

export function findElectronBinary(input: FindElectronInput): ElectronBinary {
  const exists = input.exists ?? fs.existsSync;
  const readText = input.readText ?? readTextOrNull;
  const manifest = readText(path.join(input.electronDir, 'package.json'));
  const version = manifest ? String((JSON.parse(manifest) as { version?: unknown }).version ?? 'unknown') : 'unknown';
  // Mirrors electron/index.js, which `electron .` runs: path.txt is written by Electron's download script
  // once the binary is unpacked; ELECTRON_OVERRIDE_DIST_PATH points at a binary unpacked by hand.
  const pathTxt = readText(path.join(input.electronDir, 'path.txt'))?.trim() || null;
  const override = input.env.ELECTRON_OVERRIDE_DIST_PATH || null;
  const binary = override
    ? path.join(override, pathTxt ?? 'electron')
    : path.join(input.electronDir, 'dist', pathTxt ?? platformBinaryPath(input.platform));
  if ((pathTxt || override) && exists(binary)) return { found: true, path: binary };
  return { found: false, expectedPath: binary, version, platform: input.platform, arch: input.arch, override };
}

export function electronMissingMessage(missing: Extract<ElectronBinary, { found: false }>): string {
  const zip = `electron-v${missing.version}-${missing.platform}-${missing.arch}.zip`;
  const looked = missing.override
    ? `ELECTRON_OVERRIDE_DIST_PATH is set to ${missing.override}, but it has no ${path.basename(missing.expectedPath)} binary.`
    : 'npm ci does not download it: package.json\'s "allowScripts" turns off Electron\'s install script,\n' +
      '  so the project installs, type-checks and tests on machines without internet access.';
  return [
    `Vigilink desktop: the Electron ${missing.version} binary is missing.`,
    `  Looked for: ${missing.expectedPath}`,
    `  ${looked}`,
    '  To get it, either:',
    '    - on a machine with internet access: node node_modules/electron/install.js   (downloads it into node_modules/electron/dist)',
    `    - or unpack ${zip} from https://github.com/electron/electron/releases/tag/v${missing.version}`,
    '      into a folder and run: ELECTRON_OVERRIDE_DIST_PATH=/that/folder npm start',
    '  Without Electron, run the bridge and its web UI headless: npm run serve',
    '',
  ].join('\n');
}
