// Runs once around the suite: the sshd test account and its keys, handed to tests through `inject`;
// afterwards, the temporary folders the run made are removed.
import type { TestProject } from 'vitest/node';
import { removeTempFoldersLater } from '../support/temp-folders.js';
import { ensureTestAccount, FIXTURE_DIR, type TestAccount } from '../support/test-account.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testAccount: TestAccount;
  }
}

export default function setup(project: TestProject): () => void {
  const cleanUp = removeTempFoldersLater();
  project.provide('testAccount', ensureTestAccount(FIXTURE_DIR));
  return cleanUp;
}
