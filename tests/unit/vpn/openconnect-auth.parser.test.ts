// What `openconnect --authenticate` prints, as openconnect 9.01 prints it to ocserv with PAM and select-group.
import { describe, expect, it } from 'vitest';
import { formMessage, parseAuthResult, parsePrompt, refusal, toField } from '../../../bridge/vpn/openconnect-auth.parser.js';

describe('parsePrompt', () => {
  it('reads a typed question and a select with its choices', () => {
    expect(parsePrompt('Password:')).toEqual({ label: 'Password', choices: null });
    expect(parsePrompt('Group: [Lab network|Campus network]:')).toEqual({ label: 'Group', choices: ['Lab network', 'Campus network'] });
  });

  it('is not fooled by unfinished progress lines', () => {
    expect(parsePrompt('POST https://172.18.0.2/au')).toBeNull();
    expect(parsePrompt('Please enter your username')).toBeNull();
  });
});

describe('formMessage', () => {
  it("keeps the server's words and drops openconnect's progress", () => {
    const lines = ['POST https://172.18.0.2/auth', 'Got HTTP response: HTTP/1.1 200 OK', "One-time password (OATH) for `vpnuser': ", ''];
    expect(formMessage(lines)).toBe("One-time password (OATH) for `vpnuser':");
    expect(formMessage(['XML POST enabled', 'Connected to 10.0.0.1:443'])).toBeNull();
  });
});

describe('toField', () => {
  it("marks ocserv's second password as a one-time code by the server's message", () => {
    expect(toField({ label: 'Password1', choices: null }, "One-time password (OATH) for `vpnuser':")).toEqual({
      name: 'password1',
      label: 'Password1',
      type: 'password',
      options: [],
      one_time_code: true,
    });
    expect(toField({ label: 'Password', choices: null }, 'Please enter your password.').one_time_code).toBe(false);
    expect(toField({ label: 'Username', choices: null }, null).type).toBe('text');
    const duo = toField({ label: 'Password1', choices: null }, 'Enter a passcode or one of: push, phone, sms');
    expect(duo).toMatchObject({ type: 'password', one_time_code: false });
  });

  it('turns choices into options and labels into safe names', () => {
    const field = toField({ label: 'Auth Group', choices: ['a', 'b'] }, null);
    expect(field).toMatchObject({ name: 'auth_group', type: 'select', options: [{ value: 'a', label: 'a' }, { value: 'b', label: 'b' }] });
  });
});

describe('parseAuthResult', () => {
  it('reads the shell assignments openconnect ends with', () => {
    expect(parseAuthResult("COOKIE='webvpn=abc; x=1'")).toEqual(['COOKIE', 'webvpn=abc; x=1']);
    expect(parseAuthResult("FINGERPRINT='pin-sha256:AAA='")).toEqual(['FINGERPRINT', 'pin-sha256:AAA=']);
    expect(parseAuthResult('POST https://x/')).toBeNull();
  });
});

describe('refusal', () => {
  it("gives a 401 in the server's words, and plain ocserv's Login failed", () => {
    const pam = ['POST https://172.18.0.2/auth', 'Got HTTP response: HTTP/1.1 401 Authentication failed', "Server '172.18.0.2' requested Basic authentication which is disabled by default", 'Failed to complete authentication'];
    expect(refusal(pam)).toBe('Authentication failed (the server answered 401)');
    expect(refusal(['Login failed.', 'Please enter your username and password.'])).toBe('Login failed.');
    expect(refusal(['Please enter your password.'])).toBeNull();
  });
});
