// `npm start`'s first step: exit 1 with a clear message when the Electron binary is missing,
// before building anything.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDesktopEnv } from '../config/desktop-config.js';
import { electronMissingMessage, findElectronBinary } from './electron-binary.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = findElectronBinary({
  electronDir: path.join(root, 'node_modules', 'electron'),
  env: loadDesktopEnv(),
  platform: process.platform,
  arch: process.arch,
});
if (!binary.found) {
  process.stderr.write(electronMissingMessage(binary));
  process.exit(1);
}
