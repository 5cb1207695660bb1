// A server that only offers keyboard-interactive (through PAM, as many clusters do): the bridge answers
// the prompt with the password.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;

beforeAll(async () => {
  sshd = await startSshd({ keyboardInteractiveOnly: true });
  t = await startBridge();
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

describe('keyboard-interactive only', () => {
  it('logs in by answering the prompt with the password', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=kbd', connectBody(sshd, account));
    expect(res.status).toBe(200);
    const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', session_id: 'kbd', command: 'id -un' });
    expect(run.body.stdout).toBe(`${account.username}\n`);
    const log = fs.readFileSync(sshd.logFile, 'utf8');
    expect(log).toContain(`Accepted keyboard-interactive/pam for ${account.username}`);
    expect(log).not.toMatch(/Accepted password/);
  });

  it('says authentication failed for a wrong password', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=kbd2', connectBody(sshd, account, { password: 'wrong-password' }));
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/^SSH authentication failed for /);
  });
});
