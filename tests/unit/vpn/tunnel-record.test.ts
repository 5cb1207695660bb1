// The tunnel record's transitions: what each probe makes of the state, and what the API shows of it.
import { describe, expect, it } from 'vitest';
import { adoptedTunnel, applyProbe, markDown, newTunnel, RETRYING, stopAutoReconnect, tunnelView } from '../../../bridge/vpn/tunnel-record.js';
import type { TunnelProbe } from '../../../bridge/vpn/vpn-status.parser.js';

const probe = (fields: Partial<TunnelProbe>): TunnelProbe => ({ pid: null, ip: null, server: 'vpn.example', upSince: null, reconnecting: false, attempt: 'a1', ...fields });
const tunnel = () => newTunnel({ server: 'vpn.example', protocol: 'anyconnect' }, 'secret');
const since = new Date('2026-01-02T03:04:05Z');

describe('tunnel record', () => {
  it('goes up with the address and time the container reports, clearing an old cause', () => {
    const t = tunnel();
    markDown(t, { reason: 'server unreachable', logTail: ['x'] });
    expect(applyProbe(t, probe({ pid: 7, ip: '10.0.0.2', upSince: since }))).toBe(true);
    expect(tunnelView(t, null)).toEqual({ state: 'up', ip: '10.0.0.2', server: 'vpn.example', since: since.toISOString(), reason: null, log_tail: [], auto_reconnect: true });
    expect(applyProbe(t, probe({ pid: 7, ip: '10.0.0.2', upSince: since }))).toBe(false);
  });

  it('counts a tunnel whose openconnect looks for its server as down, retrying, and alive', () => {
    const t = tunnel();
    applyProbe(t, probe({ pid: 7, ip: '10.0.0.2', upSince: since }));
    expect(applyProbe(t, probe({ pid: 7, ip: '10.0.0.2', reconnecting: true }))).toBe(true);
    expect(t).toMatchObject({ state: 'down', ip: null, since: null, reason: RETRYING, alive: true });
  });

  it('is connecting while openconnect runs without an address, and down once it is gone', () => {
    const t = tunnel();
    applyProbe(t, probe({ pid: 7 }));
    expect(t).toMatchObject({ state: 'connecting', ip: null, reason: null, alive: true });
    expect(applyProbe(t, probe({}))).toBe(true);
    expect(t).toMatchObject({ state: 'down', alive: false });
  });

  it('shows the log tail only while down, and the last failure only when there is no tunnel', () => {
    const t = tunnel();
    markDown(t, { reason: 'Login failed', logTail: ['POST https://vpn.example/', 'Login failed'] });
    expect(tunnelView(t, 'ignored')).toMatchObject({ state: 'down', reason: 'Login failed', log_tail: ['POST https://vpn.example/', 'Login failed'] });
    stopAutoReconnect(t, 'the server refused the login: Login failed');
    expect(tunnelView(t, null)).toMatchObject({ reason: 'auto-reconnect stopped: the server refused the login: Login failed', auto_reconnect: false });
    expect(tunnelView(null, 'VPN connection failed: x')).toMatchObject({ state: 'none', reason: 'VPN connection failed: x', log_tail: [] });
  });

  it('adopts a running tunnel with its attempt and no password', () => {
    const t = adoptedTunnel('vpn.example', probe({ pid: 7, ip: '10.0.0.2', attempt: 'a9' }));
    expect(t).toMatchObject({ state: 'up', attempt: 'a9', password: null, request: { server: 'vpn.example', protocol: 'anyconnect' } });
  });
});
