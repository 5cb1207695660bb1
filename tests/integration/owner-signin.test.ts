// The owner's one-time sign-in link over real HTTP and socket.io: the nonce opens one owner session and
// is dead afterwards (401), the session works for the API and sockets until signed out, and a device
// may not make sign-in links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, pairDevice } from '../support/live-client.js';

let t: TestBridge;

beforeAll(async () => {
  t = await startBridge();
}, 30_000);
afterAll(async () => {
  await t?.close();
});

async function newLink(): Promise<string> {
  const link = await t.api('POST', '/api/auth/signin-link');
  expect(link.status).toBe(200);
  expect(link.body.url).toMatch(new RegExp(`^${t.baseUrl}/#signin=[A-Za-z0-9_-]{43}$`));
  expect(link.body.expires_in).toBe(300);
  return new URL(link.body.url).hash.replace('#signin=', '');
}

describe('one-time sign-in link', () => {
  it('signs in once; the second use of the link is 401', async () => {
    const nonce = await newLink();
    const first = await t.api('POST', '/api/auth/signin', { nonce }, { token: null });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ kind: 'owner', idle_timeout_seconds: 12 * 3600 });
    expect(first.body.token).not.toBe(t.token);
    const second = await t.api('POST', '/api/auth/signin', { nonce }, { token: null });
    expect(second.status).toBe(401);
    expect(second.body.detail).toMatch(/already used or has expired/);

    const session = first.body.token as string;
    expect((await t.api('GET', '/api/devices', undefined, { token: session })).status).toBe(200);
    const socket = await connectSocket(t.baseUrl, { token: session });
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('signs out: the session token stops working, the owner token does not', async () => {
    const signedIn = await t.api('POST', '/api/auth/signin', { nonce: await newLink() }, { token: null });
    const session = signedIn.body.token as string;
    expect((await t.api('POST', '/api/auth/signout', undefined, { token: session })).body).toEqual({ signed_out: true });
    expect((await t.api('GET', '/api/devices', undefined, { token: session })).status).toBe(401);
    await expect(connectSocket(t.baseUrl, { token: session })).rejects.toThrow(/unauthorized/);
    expect((await t.api('POST', '/api/auth/signout')).body).toEqual({ signed_out: false });
    expect((await t.api('GET', '/api/devices')).status).toBe(200);
  });

  it('refuses bad nonces with 400 or 401 and lets no device make links', async () => {
    expect((await t.api('POST', '/api/auth/signin', { nonce: 'short' }, { token: null })).status).toBe(400);
    expect((await t.api('POST', '/api/auth/signin', { nonce: 'A'.repeat(43) }, { token: null })).status).toBe(401);
    expect((await t.api('POST', '/api/auth/signin', {}, { token: null })).status).toBe(400);
    const phone = await pairDevice(t, 'alice');
    expect((await t.api('POST', '/api/auth/signin-link', undefined, { token: phone.token })).status).toBe(403);
  });
});
