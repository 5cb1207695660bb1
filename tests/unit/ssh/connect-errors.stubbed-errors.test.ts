// normaliseConnectError and dropReasonOf with stubbed ssh2/net error objects (the shapes those
// libraries throw): every failure becomes a 502-kind AppError that says which failure it was.
import { describe, expect, it } from 'vitest';
import { normaliseConnectError } from '../../../bridge/ssh/ssh-connect.js';
import { dropReasonOf } from '../../../bridge/ssh/ssh-session.js';

const stub = (props: { message?: string; level?: string; code?: string }) => Object.assign(new Error(props.message ?? 'x'), props);

describe('normaliseConnectError (stubbed error objects)', () => {
  it.each([
    [{ level: 'client-authentication', message: 'All configured authentication methods failed' }, /^SSH authentication failed for bob@h:22/],
    [{ level: 'client-timeout', message: 'Timed out while waiting for handshake' }, /timed out during the handshake/],
    [{ code: 'ECONNREFUSED' }, /^Connection refused by h:22/],
    [{ code: 'EHOSTUNREACH' }, /^Host unreachable: h:22/],
    [{ code: 'ENETUNREACH' }, /^Host unreachable/],
    [{ code: 'ENOTFOUND' }, /^Unknown host: h could not be resolved/],
    [{ code: 'ETIMEDOUT' }, /timed out/],
    [{ code: 'ECONNRESET' }, /reset by the host/],
    [{ message: 'something odd' }, /failed: something odd/],
  ])('%j', (props, expected) => {
    const error = normaliseConnectError(stub(props), 'h:22', 'bob');
    expect(error.kind).toBe('upstream_failed');
    expect(error.message).toMatch(expected);
  });
});

describe('dropReasonOf (stubbed error objects)', () => {
  it('calls a keepalive timeout what it is', () => {
    expect(dropReasonOf(stub({ level: 'client-timeout', message: 'Keepalive timeout' }), 'connection')).toMatch(/stopped answering keepalives/);
  });

  it('calls a reset a reset', () => {
    expect(dropReasonOf(stub({ code: 'ECONNRESET', message: 'read ECONNRESET' }), 'connection')).toBe('the connection was reset (the server or the network dropped it)');
  });

  it('passes other errors through with their message', () => {
    expect(dropReasonOf(stub({ message: 'Bad packet length' }), 'jump host connection')).toBe('jump host connection error: Bad packet length');
  });
});
