// The tunnel probe's key=value lines and openconnect's logs (lines captured from real openconnect 9.01 runs).
import { describe, expect, it } from 'vitest';
import { failureReason, linesOfAttempt, loginProblem, parseTunnelProbe } from '../../../bridge/vpn/vpn-status.parser.js';

const PREAMBLE = [
  'POST https://172.18.0.2/',
  'Connected to 172.18.0.2:443',
  'SSL negotiation with 172.18.0.2',
  'Server certificate verify failed: signer not found',
  'Connected to HTTPS on 172.18.0.2 with ciphersuite (TLS1.3)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)',
  'XML POST enabled',
  'Please enter your username.',
  'POST https://172.18.0.2/auth',
  'Please enter your password.',
  'POST https://172.18.0.2/auth',
];
const WRONG_PASSWORD = [...PREAMBLE, 'Login failed.', 'Please enter your password.', 'Password:', '***', 'User input required in non-interactive mode', 'Failed to complete authentication'];
const OTP_ASKED = [...PREAMBLE, 'Please enter your one-time code.', 'User input required in non-interactive mode', 'Failed to complete authentication'];
const PIN_MISMATCH = [
  ...PREAMBLE.slice(0, 4),
  "None of the 1 fingerprint(s) specified via --servercert match server's certificate: pin-sha256:Ver/9B4ZubmpcmvG8d6gw0J2tJcjoKDhh+ICdGDHhOU=",
  'SSL connection failure: Error in the certificate.',
  'Failed to open HTTPS connection to 172.18.0.2',
  'Failed to complete authentication',
];
const SERVER_GONE = [...PREAMBLE, 'Configured as 10.77.0.23, with SSL connected and DTLS disabled', 'Received server disconnect', 'Send BYE packet: Server request', 'Session terminated by server; exiting.'];

describe('parseTunnelProbe', () => {
  it('reads an up tunnel', () => {
    expect(parseTunnelProbe('pid=8\nip=10.77.0.23/32\nserver=https://vpn.example\nup_since=1795847842\nreconnecting=0\nattempt=abc\n')).toEqual({
      pid: 8,
      ip: '10.77.0.23',
      server: 'https://vpn.example',
      upSince: new Date(1795847842 * 1000),
      reconnecting: false,
      attempt: 'abc',
    });
  });

  it('reads an empty container as nothing at all', () => {
    expect(parseTunnelProbe('pid=\nip=\nserver=\nup_since=\nreconnecting=0\nattempt=\n')).toEqual({
      pid: null,
      ip: null,
      server: null,
      upSince: null,
      reconnecting: false,
      attempt: null,
    });
  });
});

describe("openconnect's reasons", () => {
  it('a wrong password is "Login failed.", not the second prompt that --non-inter refuses', () => {
    expect(failureReason(WRONG_PASSWORD)).toBe('Login failed.');
    expect(loginProblem(WRONG_PASSWORD)).toMatch(/refused the stored login/);
  });

  it('a one-time code prompt says so and stops auto-reconnect', () => {
    expect(failureReason(OTP_ASKED)).toMatch(/one-time code/);
    expect(loginProblem(OTP_ASKED)).toMatch(/one-time code/);
  });

  it('a pin mismatch names the certificate, though openconnect logs "verify failed" on success too', () => {
    expect(failureReason(PIN_MISMATCH)).toMatch(/fingerprint\(s\) specified via --servercert match/);
    expect(failureReason([...PREAMBLE, 'Configured as 10.77.0.23'])).not.toMatch(/certificate/);
    expect(loginProblem(PIN_MISMATCH)).toBeNull();
  });

  it('a server that went away is not a login problem (auto-reconnect may retry)', () => {
    expect(failureReason(SERVER_GONE)).toBe('Session terminated by server; exiting.');
    expect(loginProblem(SERVER_GONE)).toBeNull();
  });

  it('an attempt is read from its marker on, so an older attempt never gives the reason', () => {
    const log = [...WRONG_PASSWORD, 'vigilink-vpn: attempt b2', ...SERVER_GONE];
    expect(linesOfAttempt(log, 'b2')).toEqual(SERVER_GONE);
    expect(failureReason(linesOfAttempt(log, 'b2'))).toBe('Session terminated by server; exiting.');
    expect(failureReason([])).toBeNull();
  });
});
