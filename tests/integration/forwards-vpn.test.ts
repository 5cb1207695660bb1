// Port forwards without an SSH session, through the user's VPN container: a real AnyConnect tunnel to
// ocserv (on an --internal network) and a web app listening on the tunnel side (10.77.1.1, reachable only
// through the VPN): a page, a 50 MiB upload, a download and a WebSocket echo, then closing ends them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Forward } from '../../bridge/contracts/forwards.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { createInternalNetwork, ensureBackendImage, execIn, execWithStdin, removeBridgeContainers, REPO_ROOT, requireDocker, type InternalNetwork } from '../support/docker.js';
import { closed, echo, enterForward, fetchIn, openWebSocket } from '../support/forward-client.js';
import { startOcserv, VPN_PASSWORD, VPN_SIDE_SSH_HOST, VPN_USER, type Ocserv } from '../support/ocserv.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
const MIB = 1024 * 1024;
const APP_PORT = 8088;
let network: InternalNetwork;
let ocserv: Ocserv;
let t: TestBridge;

beforeAll(async () => {
  await requireDocker();
  await ensureBackendImage();
  network = await createInternalNetwork();
  ocserv = await startOcserv(network.name, { username: account.username, password: account.password });
  // The app runs in the ocserv container on its VPN-side address, as an unprivileged user.
  const script = fs.readFileSync(path.join(REPO_ROOT, 'tests/fixtures/forward-app/web-app.pl'), 'utf8');
  expect(await execWithStdin(ocserv.containerId, ['sh', '-c', 'cat > /tmp/web-app.pl'], script)).toBe(0);
  const started = await execIn(ocserv.containerId, [
    'sh',
    '-c',
    `su vltest -s /bin/sh -c 'perl /tmp/web-app.pl ${VPN_SIDE_SSH_HOST} ${APP_PORT} >/tmp/web-app.log 2>&1 &'; ` +
      `i=0; until ss -Htln "sport = :${APP_PORT}" | grep -q .; do [ $i -gt 100 ] && { cat /tmp/web-app.log; exit 1; }; sleep 0.1; i=$((i+1)); done; echo listening`,
  ]);
  expect(started).toContain('listening');
  t = await startBridge({ VIGILINK_DOCKER_NETWORK: network.name, VPN_CONTAINER_NETWORK_INTERNAL: '1', VPN_CONNECT_TIMEOUT_SECONDS: '30', FORWARD_PORTS: '18300-18399' });
  const vpn = await t.api('POST', '/vpn/connect', { user_id: 'vpn-fwd', vpn_url: ocserv.url, username: VPN_USER, password: VPN_PASSWORD, servercert: ocserv.pin, real: true });
  expect(vpn.status, JSON.stringify(vpn.body)).toBe(200);
}, 600_000);

afterAll(async () => {
  await t?.close();
  if (t) await removeBridgeContainers(t.dataDir);
  await ocserv?.stop();
  await network?.remove();
});

describe('port forwards through the VPN container', () => {
  it('serves a VPN-only app without an SSH session: page, 50 MiB upload, download, WebSocket; closing ends them', async () => {
    // The app may still be starting: a refused port is a 502 until it listens.
    let last = '';
    const forward = (await eventually(
      'the forward opens',
      async () => {
        const opened = await t.api<Forward & { url: string }>('POST', '/api/forwards', { user_id: 'vpn-fwd', remote_host: VPN_SIDE_SSH_HOST, remote_port: APP_PORT, name: 'vpn app' });
        last = `${opened.status} ${JSON.stringify(opened.body)}`;
        return opened.status === 200 ? opened.body : undefined;
      },
      30_000,
    ).catch(() => expect.fail(`the forward did not open: ${last}`))) as Forward & { url: string };
    expect(forward).toMatchObject({ via: 'container', session_id: null, remote_host: VPN_SIDE_SSH_HOST });
    const refused = await t.api('POST', '/api/forwards', { user_id: 'vpn-fwd', remote_host: VPN_SIDE_SSH_HOST, remote_port: APP_PORT + 1 });
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toMatch(/refused/i);

    const browser = await enterForward(t, forward.forward_id, t.token, 'vpn-fwd');
    const page = await fetchIn(browser, '/');
    expect(await page.text()).toContain('Forwarded VPN-side app');
    const body = crypto.randomBytes(50 * MIB);
    const upload = await fetchIn(browser, '/upload', { method: 'POST', body });
    // The app (perl-base) answers the sum of the bytes mod 2^32 instead of a hash.
    let sum = 0;
    for (const byte of body) sum = (sum + byte) % 2 ** 32;
    expect(await upload.json()).toEqual({ bytes: 50 * MIB, sum });
    const download = await fetchIn(browser, `/download?bytes=${8 * MIB}`);
    expect((await download.arrayBuffer()).byteLength).toBe(8 * MIB);
    const ws = await openWebSocket(browser);
    expect(await echo(ws, 'through the tunnel')).toBe('through the tunnel');

    expect((await t.api('DELETE', `/api/forwards/${forward.forward_id}?user_id=vpn-fwd`)).status).toBe(200);
    await closed(ws, 3000);
    const listed = await t.api<{ forwards: Forward[] }>('GET', '/api/forwards?user_id=vpn-fwd');
    expect(listed.body.forwards).toEqual([]);
  }, 180_000);
});
