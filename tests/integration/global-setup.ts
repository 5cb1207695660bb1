// Runs once around the suite: the sshd test account and its keys, handed to tests through `inject`;
// afterwards, the temporary folders the run made (data dirs, sshd configs, fake nvidia-smi) are removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTestAccount, FIXTURE_DIR, type TestAccount } from './helpers/test-account.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testAccount: TestAccount;
  }
}

const TEMP_PREFIX = 'vigilink-';

function ourTempFolders(): Set<string> {
  return new Set(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(TEMP_PREFIX)));
}

export default function setup(project: TestProject): () => void {
  const before = ourTempFolders();
  project.provide('testAccount', ensureTestAccount(FIXTURE_DIR));
  return () => {
    for (const name of ourTempFolders()) {
      const folder = path.join(os.tmpdir(), name);
      if (!before.has(name) && folder !== FIXTURE_DIR) fs.rmSync(folder, { recursive: true, force: true });
    }
  };
}
