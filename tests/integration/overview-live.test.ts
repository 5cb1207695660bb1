// The owner's overview against a real sshd: GET /api/overview (owner only) and the `overview` event pushed
// to owner sockets (never to devices) as a phone's user pairs, connects, opens a terminal and disconnects.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Overview } from '../../bridge/contracts/overview.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, pairDevice, request, waitForEvent, type ClientSocket, type PairedDevice } from '../support/live-client.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { connectBody } from '../support/ssh-test-kit.js';

const account = inject('testAccount');
let sshd: Sshd;
let t: TestBridge;
let owner: ClientSocket;
let phone: PairedDevice;
let phoneSocket: ClientSocket;
const ownerSaw: Overview[] = [];
const phoneSawOverview: Overview[] = [];

const userIn = (overview: Overview, userId: string) => overview.users.find((u) => u.user_id === userId);

beforeAll(async () => {
  sshd = await startSshd();
  // Its phone connects to the loopback sshd, which devices may only do when the owner allows it.
  t = await startBridge({ VIGILINK_DEVICE_LOCAL_TARGETS: '1' });
  owner = await connectSocket(t.baseUrl, { token: t.token }, (socket) => socket.on('overview', (o) => ownerSaw.push(o)));
}, 60_000);
afterAll(async () => {
  owner?.close();
  phoneSocket?.close();
  await t?.close();
  await sshd?.stop();
});

describe('the owner’s overview', () => {
  it('is sent to an owner socket on connect', async () => {
    await expect.poll(() => ownerSaw.length).toBeGreaterThan(0);
    expect(ownerSaw[0]).toEqual({ users: [], totals: { users: 0, active_sessions: 0, containers: 0 } });
  });

  it('follows a phone’s user live: paired, connected, a terminal, disconnected', async () => {
    const paired = waitForEvent(owner, 'overview', (o) => userIn(o, 'carol')?.counts.devices === 1, 10_000);
    phone = await pairDevice(t, 'carol', 'carol phone');
    const [afterPairing] = await paired;
    expect(userIn(afterPairing, 'carol')!.devices[0]).toMatchObject({ id: phone.deviceId, name: 'carol phone' });

    phoneSocket = await connectSocket(t.baseUrl, { token: phone.token }, (socket) => socket.on('overview', (o) => phoneSawOverview.push(o)));
    const connected = waitForEvent(owner, 'overview', (o) => userIn(o, 'carol')?.counts.active_sessions === 1, 15_000);
    const connect = await t.api('POST', '/ssh/connect?session_id=lab', connectBody(sshd, account, { user_id: undefined }), { token: phone.token });
    expect(connect.status).toBe(200);
    const [afterConnect] = await connected;
    expect(userIn(afterConnect, 'carol')!.sessions).toEqual([expect.objectContaining({ session_id: 'lab', active: true })]);
    expect(afterConnect.totals).toMatchObject({ users: 1, active_sessions: 1 });

    const opened = waitForEvent(owner, 'overview', (o) => userIn(o, 'carol')?.terminals === 1, 15_000);
    const terminal = await request(phoneSocket, 'term:open', { session_id: 'lab', cols: 80, rows: 24 });
    expect(terminal.ok).toBe(true);
    await opened;

    const dropped = waitForEvent(owner, 'overview', (o) => userIn(o, 'carol')?.counts.active_sessions === 0 && userIn(o, 'carol')?.terminals === 0, 15_000);
    expect((await t.api('POST', '/ssh/disconnect?session_id=lab', undefined, { token: phone.token })).status).toBe(200);
    await dropped;

    const rest = await t.api('GET', '/api/overview');
    expect(rest.status).toBe(200);
    expect(rest.body.users.map((u: { user_id: string }) => u.user_id)).toEqual(['carol']);
    // A device never hears the overview, and may not ask for it.
    expect(phoneSawOverview).toEqual([]);
    const denied = await t.api('GET', '/api/overview', undefined, { token: phone.token });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/Only the owner/);
  }, 60_000);
});
