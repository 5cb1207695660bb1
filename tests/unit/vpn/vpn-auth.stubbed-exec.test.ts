// The login conversation (bridge/vpn/vpn-auth.ts) against a stubbed exec stream that prints what
// openconnect 9.01 prints: questions split across reads, the password answered once, other questions
// asked of the user, a refusal that re-asks, a group choice, a certificate question, no answer, silence.
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ContainerDriver } from '../../../bridge/vpn/container-driver.js';
import { eventually } from '../../support/eventually.js';
import { authenticate, type AskedForm, type AuthOptions } from '../../../bridge/vpn/vpn-auth.js';

function fakeOpenconnect() {
  const written: string[] = [];
  let exit!: (code: number | null) => void;
  const exited = new Promise<number | null>((resolve) => (exit = resolve));
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString('utf8'));
      callback();
    },
  });
  const driver = { openExec: async () => ({ stream, stderr: () => '', exited }) } as unknown as ContainerDriver;
  return { driver, written, exit, print: (text: string) => stream.push(text) };
}

const options = (ask: AuthOptions['ask'], extra: Partial<AuthOptions> = {}): AuthOptions => ({
  request: { server: 'https://vpn.example', username: 'alice', protocol: 'anyconnect' },
  password: 'pw-Secret',
  ask,
  silenceTimeoutMs: 5000,
  ...extra,
});

describe('authenticate (stubbed exec)', () => {
  it('answers the password itself, asks the user for the code, and ends with the cookie and the pin it accepted', async () => {
    const oc = fakeOpenconnect();
    const forms: AskedForm[] = [];
    const outcome = authenticate(oc.driver, 'c1', options(async (form) => (forms.push(form), new Map([['password1', '123456']]))));
    oc.print('POST https://vpn.example/\nPlease enter your password.\nPass');
    oc.print('word:');
    await eventually('the password answer', () => oc.written.length === 1, { timeoutMs: 3000, intervalMs: 20 });
    expect(oc.written).toEqual(['pw-Secret\n']);
    oc.print("\nPOST https://vpn.example/auth\nOne-time password (OATH) for `alice':\nPassword1:");
    await eventually('the code answer', () => oc.written.length === 2, { timeoutMs: 3000, intervalMs: 20 });
    expect(forms).toEqual([
      { message: "One-time password (OATH) for `alice':", fields: [{ name: 'password1', label: 'Password1', type: 'password', options: [], one_time_code: true }] },
    ]);
    expect(oc.written[1]).toBe('123456\n');
    oc.print("\nPOST https://vpn.example/auth\nCOOKIE='webvpn=abc'\nFINGERPRINT='pin-sha256:AAAA'\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    oc.exit(0);
    expect(await outcome).toEqual({ ok: true, cookie: 'webvpn=abc', fingerprint: 'pin-sha256:AAAA' });
  });

  it('stops with "Login failed." when the server asks for the password again, without asking the user', async () => {
    const oc = fakeOpenconnect();
    let asked = 0;
    const outcome = authenticate(oc.driver, 'c1', options(async () => (asked++, new Map())));
    oc.print('Please enter your username and password.\nPassword:');
    await eventually('the password answer', () => oc.written.length === 1, { timeoutMs: 3000, intervalMs: 20 });
    oc.print('\nPOST https://vpn.example/auth\nLogin failed.\nPlease enter your username and password.\nPassword:');
    const result = await outcome;
    expect(result).toMatchObject({ ok: false, reason: 'Login failed.', loginProblem: 'the server refused the login: Login failed.' });
    expect(asked).toBe(0);
    expect(oc.written).toEqual(['pw-Secret\n']);
  });

  it('offers a group select as choices and writes the chosen label back', async () => {
    const oc = fakeOpenconnect();
    const outcome = authenticate(oc.driver, 'c1', options(async (form) => new Map([[form.fields[0]!.name, 'Campus network']])));
    oc.print('Please enter your username.\nGroup: [Lab network|Campus network]:');
    await eventually('the choice', () => oc.written.length === 1, { timeoutMs: 3000, intervalMs: 20 });
    expect(oc.written).toEqual(['Campus network\n']);
    oc.exit(1);
    expect((await outcome).ok).toBe(false);
  });

  it('declines a certificate it cannot verify', async () => {
    const oc = fakeOpenconnect();
    const outcome = authenticate(oc.driver, 'c1', options(async () => new Map()));
    oc.print("Certificate from VPN server \"vpn.example\" failed verification.\nEnter 'yes' to accept, 'no' to abort; anything else to view: ");
    await eventually('the refusal', () => oc.written.length === 1, { timeoutMs: 3000, intervalMs: 20 });
    expect(oc.written).toEqual(['no\n']);
    oc.print('\nCertificate from VPN server failed verification.\nFailed to open HTTPS connection to vpn.example\n');
    oc.exit(1);
    expect(await outcome).toMatchObject({ ok: false, reason: 'Failed to open HTTPS connection to vpn.example', loginProblem: null });
  });

  it("ends the login with the prompt's reason when the user's answer never comes", async () => {
    const oc = fakeOpenconnect();
    const outcome = authenticate(oc.driver, 'c1', options(() => Promise.reject(new Error('nobody answered the login form within 120 s')), { password: '' }));
    oc.print('Please enter your password.\nPassword:');
    expect(await outcome).toMatchObject({ ok: false, reason: 'nobody answered the login form within 120 s', loginProblem: 'nobody answered the login form within 120 s' });
  });

  it('withdraws the question from the user when openconnect exits while it is asked', async () => {
    const oc = fakeOpenconnect();
    let loginEnd: AbortSignal | null = null;
    const outcome = authenticate(
      oc.driver,
      'c1',
      options((_form, signal) => {
        loginEnd = signal;
        return new Promise(() => undefined);
      }),
    );
    oc.print('Please enter your password.\nPassword:');
    await eventually('the password answer', () => oc.written.length === 1, { timeoutMs: 3000, intervalMs: 20 });
    oc.print("\nOne-time password (OATH) for `alice':\nPassword1:");
    await eventually('the code question', () => loginEnd, { timeoutMs: 3000, intervalMs: 20 });
    expect(loginEnd!.aborted).toBe(false);
    oc.exit(1);
    expect(await outcome).toMatchObject({ ok: false, reason: 'openconnect exited (1) while the login waited for your answer', loginProblem: null });
    expect(loginEnd!.aborted).toBe(true);
  });

  it('gives up on a server that goes silent', async () => {
    const oc = fakeOpenconnect();
    const outcome = authenticate(oc.driver, 'c1', options(async () => new Map(), { silenceTimeoutMs: 1000 }));
    oc.print('POST https://vpn.example/\n');
    expect(await outcome).toMatchObject({ ok: false, reason: 'timed out after 1 s waiting for the VPN server' });
  });
});
