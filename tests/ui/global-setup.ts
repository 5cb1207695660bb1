// Before the UI tests: the system Chromium must be there (browsers cannot be downloaded), the renderer
// must be built (npm run test:ui builds it), and the sshd test account must exist (root, as CI runs).
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM_PATH } from '../../playwright.config.js';
import { removeTempFoldersLater } from '../support/temp-folders.js';
import { ensureTestAccount, FIXTURE_DIR } from '../support/test-account.js';

/** Returns the teardown: the temporary folders the run made are removed. */
export default function globalSetup(): () => void {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: the UI tests run in Debian's Chromium. Install it with: apt-get install -y chromium`);
  }
  if (!fs.existsSync(path.resolve('renderer/dist/index.html'))) {
    throw new Error('The web UI is not built: run the UI tests with `npm run test:ui` (it builds first), or `npm run build:ui` once.');
  }
  const cleanUp = removeTempFoldersLater();
  ensureTestAccount(FIXTURE_DIR);
  fs.mkdirSync(path.resolve('tests/artifacts'), { recursive: true });
  return cleanUp;
}
