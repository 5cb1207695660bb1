// Runs once before the suite: the sshd test account and its keys, handed to tests through `inject`.
import type { TestProject } from 'vitest/node';
import { ensureTestAccount, FIXTURE_DIR, type TestAccount } from './helpers/test-account.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testAccount: TestAccount;
  }
}

export default function setup(project: TestProject): void {
  project.provide('testAccount', ensureTestAccount(FIXTURE_DIR));
}
