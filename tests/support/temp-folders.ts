// The temporary folders test runs make (data dirs, sshd configs, fake nvidia-smi): all named vigilink-*
// under the system temp dir. A run notes what was there before and removes what it added.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_DIR } from './test-account.js';

const TEMP_PREFIX = 'vigilink-';

function ourTempFolders(): Set<string> {
  return new Set(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(TEMP_PREFIX)));
}

/** Call before the run; the function it gives back removes the folders made since (the test account's keys stay). */
export function removeTempFoldersLater(): () => void {
  const before = ourTempFolders();
  return () => {
    for (const name of ourTempFolders()) {
      const folder = path.join(os.tmpdir(), name);
      if (!before.has(name) && folder !== FIXTURE_DIR) fs.rmSync(folder, { recursive: true, force: true });
    }
  };
}
