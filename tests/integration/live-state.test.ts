// The live `state` channel over a real socket.io client: sent on connect, pushed within 200 ms of an SSH
// connect and of a real sshd dying, on disconnects and revocations; owners watch users explicitly.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { UserState } from '../../bridge/contracts/socket.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import { connectSocket, killSshdTree, pairDevice, request, waitForEvent, type ClientSocket, type PairedDevice } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;
let phone: PairedDevice;
let socket: ClientSocket;
/** Every state the phone received, with its arrival time. */
const received: { at: number; state: UserState }[] = [];

const connectBody = (sessionPort: number) => ({ hostname: '127.0.0.1', port: sessionPort, username: account.username, password: account.password });

/** The first state received at or after `since` that satisfies `match` (waits up to 5 s). */
function stateAfter(since: number, match: (s: UserState) => boolean): Promise<{ at: number; state: UserState }> {
  return eventually(`a matching state since ${since}`, () => {
    const hit = received.find((r) => r.at >= since && match(r.state));
    if (!hit) throw new Error(`the last states were ${JSON.stringify(received.slice(-3))}`);
    return hit;
  }, { timeoutMs: 5000, intervalMs: 5 });
}

const session = (s: UserState, id: string) => s.ssh.sessions.find((x) => x.session_id === id);

beforeAll(async () => {
  sshd = await startSshd();
  // Its phones connect to the loopback sshd, which devices may only do when the owner allows it.
  t = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1' });
  phone = await pairDevice(t, 'alice', 'live phone');
});
afterAll(async () => {
  socket?.close();
  await t?.close();
  await sshd?.stop();
});

describe('state for a paired device', () => {
  it('arrives right after connect, with the user’s sessions and devices', async () => {
    const started = Date.now();
    socket = await connectSocket(t.baseUrl, { token: phone.token }, (s) => s.on('state', (state) => received.push({ at: Date.now(), state })));
    const { state } = await stateAfter(started, () => true);
    expect(state.user_id).toBe('alice');
    expect(state.ssh.sessions).toEqual([]);
    expect(state.devices).toEqual([expect.objectContaining({ id: phone.deviceId, name: 'live phone', user_id: 'alice' })]);
  });

  it('is pushed within 200 ms of an SSH connect', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=work', connectBody(sshd.port), { token: phone.token });
    const answered = Date.now();
    expect(res.status).toBe(200);
    const { at, state } = await stateAfter(0, (s) => session(s, 'work')?.active === true);
    expect(at - answered).toBeLessThan(200);
    expect(session(state, 'work')).toMatchObject({ hostname: '127.0.0.1', port: sshd.port, username: account.username, reason: null });
  });

  it('is pushed within 200 ms of the sshd dying under the session, with the reason', async () => {
    const killed = Date.now();
    killSshdTree(sshd.dir);
    const { at, state } = await stateAfter(killed, (s) => session(s, 'work')?.active === false);
    expect(at - killed).toBeLessThan(200);
    expect(session(state, 'work')!.reason).toMatch(/connection|ended|closed/);
    sshd = await startSshd();
  });

  it('is pushed when a session is disconnected on request', async () => {
    expect((await t.api('POST', '/ssh/connect?session_id=short', connectBody(sshd.port), { token: phone.token })).status).toBe(200);
    await stateAfter(0, (s) => session(s, 'short')?.active === true);
    const asked = Date.now();
    expect((await t.api('POST', '/ssh/disconnect?session_id=short', undefined, { token: phone.token })).status).toBe(200);
    const { at } = await stateAfter(asked, (s) => session(s, 'short') === undefined);
    expect(at - asked).toBeLessThan(200);
  });

  it('is pushed when another device of the user is paired and revoked', async () => {
    const before = Date.now();
    const tablet = await pairDevice(t, 'alice', 'tablet');
    await stateAfter(before, (s) => s.devices.some((d) => d.id === tablet.deviceId));
    const revoked = Date.now();
    expect((await t.api('DELETE', `/api/devices/${tablet.deviceId}`)).status).toBe(200);
    const { state } = await stateAfter(revoked, (s) => !s.devices.some((d) => d.id === tablet.deviceId));
    expect(state.devices.map((d) => d.id)).toEqual([phone.deviceId]);
  });
});

describe('owner sockets', () => {
  let owner: ClientSocket;
  afterAll(() => owner?.close());

  it('get the state of the user named in the handshake at once', async () => {
    const states: UserState[] = [];
    owner = await connectSocket(t.baseUrl, { token: t.token, user_id: 'alice' }, (s) => s.on('state', (state) => states.push(state)));
    const [state] = states.length ? [states[0]!] : await waitForEvent(owner, 'state');
    expect(state.user_id).toBe('alice');
    expect(state.devices.map((d) => d.id)).toContain(phone.deviceId);
  });

  it('watch another user: the ack carries the state, then changes are pushed; unwatch stops them', async () => {
    const watched = await request<UserState>(owner, 'user:watch', { user_id: 'zoe' });
    expect(watched).toEqual({ ok: true, data: expect.objectContaining({ user_id: 'zoe', devices: [] }) });
    const pushed = waitForEvent(owner, 'state', (s) => s.user_id === 'zoe' && s.devices.length === 1);
    const zoe = await pairDevice(t, 'zoe', 'zoe phone');
    const [state] = await pushed;
    expect(state.devices[0]!.id).toBe(zoe.deviceId);

    expect(await request(owner, 'user:unwatch', { user_id: 'zoe' })).toEqual({ ok: true, data: { user_id: 'zoe' } });
    const zoeStates: UserState[] = [];
    owner.on('state', (s) => s.user_id === 'zoe' && zoeStates.push(s));
    await pairDevice(t, 'zoe', 'zoe tablet');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(zoeStates).toEqual([]);
  });

  it('without a user in the handshake get no state until they watch one', async () => {
    const states: UserState[] = [];
    const plain = await connectSocket(t.baseUrl, { token: t.token }, (s) => s.on('state', (state) => states.push(state)));
    try {
      await pairDevice(t, 'alice', 'one more');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(states).toEqual([]);
    } finally {
      plain.close();
    }
  });

  it('refuse a bad token at connect, with a kind the client decides on and the message older clients read', async () => {
    const refused = connectSocket(t.baseUrl, { token: 'vld_not-a-token' });
    await expect(refused).rejects.toThrow(/unauthorized/);
    await expect(refused).rejects.toMatchObject({ data: { kind: 'unauthorized', message: 'unauthorized: missing or invalid token' } });
  });
});
