// Ending an owner session over real HTTP and socket.io closes the sockets opened with it: signing out
// disconnects that session's sockets at once, and so does a session left idle; sockets of another owner
// session and of owner.token stay connected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, waitForDisconnect } from '../support/live-client.js';

/** A short idle time (6 s), so the idle case runs in the test. */
const IDLE_MINUTES = 0.1;
let t: TestBridge;

beforeAll(async () => {
  t = await startBridge({ OWNER_SESSION_IDLE_MINUTES: String(IDLE_MINUTES) });
}, 30_000);
afterAll(async () => {
  await t?.close();
});

async function signIn(): Promise<string> {
  const link = await t.api('POST', '/api/auth/signin-link');
  const nonce = new URL(link.body.url).hash.replace('#signin=', '');
  const signedIn = await t.api('POST', '/api/auth/signin', { nonce }, { token: null });
  expect(signedIn.status).toBe(200);
  return signedIn.body.token as string;
}

describe('the end of an owner session', () => {
  it('signing out disconnects the sockets opened with that session, and only those', async () => {
    const [leaving, staying] = [await signIn(), await signIn()];
    const sockets = [await connectSocket(t.baseUrl, { token: leaving }), await connectSocket(t.baseUrl, { token: leaving })];
    const other = await connectSocket(t.baseUrl, { token: staying });
    const byOwnerToken = await connectSocket(t.baseUrl, { token: t.token });
    const gone = sockets.map((socket) => waitForDisconnect(socket));

    expect((await t.api('POST', '/api/auth/signout', undefined, { token: leaving })).body).toEqual({ signed_out: true });
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    // Still there after a round trip of their own: nothing else was closed.
    expect((await t.api('GET', '/api/devices', undefined, { token: staying })).status).toBe(200);
    expect(other.connected).toBe(true);
    expect(byOwnerToken.connected).toBe(true);
    other.close();
    byOwnerToken.close();
  });

  it('a session that goes idle disconnects its sockets without waiting for another request', async () => {
    const token = await signIn();
    const socket = await connectSocket(t.baseUrl, { token });
    const byOwnerToken = await connectSocket(t.baseUrl, { token: t.token });
    const started = Date.now();
    expect(await waitForDisconnect(socket, 15_000)).toBe('io server disconnect');
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MINUTES * 60_000 - 1000);
    expect(byOwnerToken.connected).toBe(true);
    expect((await t.api('GET', '/api/devices', undefined, { token })).status).toBe(401);
    byOwnerToken.close();
  }, 30_000);
});
