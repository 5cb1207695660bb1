// VPN containers against real Docker without a VPN server: real=false containers (limits, labels,
// network), commands and files inside them, reuse, disconnect, CONTAINER_TIMEOUT, and the Docker failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TermOpened } from '../../bridge/contracts/terminal.js';
import { instanceId } from '../../bridge/vpn/container-side.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import { connectSocket, request, waitForEvent } from '../support/live-client.js';
import {
  BACKEND_IMAGE,
  bridgeContainers,
  createInternalNetwork,
  docker,
  ensureBackendImage,
  execIn,
  removeBridgeContainers,
  requireDocker,
  type InternalNetwork,
} from '../support/docker.js';

let network: InternalNetwork;
let t: TestBridge;
const bridges: TestBridge[] = [];

async function bridge(env: Record<string, string>): Promise<TestBridge> {
  const started = await startBridge({ VIGILINK_DOCKER_NETWORK: network.name, VPN_CONTAINER_NETWORK_INTERNAL: '1', VPN_COOLDOWN_SECONDS: '0', ...env });
  bridges.push(started);
  return started;
}

beforeAll(async () => {
  await requireDocker();
  await ensureBackendImage();
  network = await createInternalNetwork();
  t = await bridge({});
}, 600_000);

afterAll(async () => {
  for (const b of bridges) {
    await b.close();
    await removeBridgeContainers(b.dataDir);
  }
  await network?.remove();
});

describe('POST /vpn/connect real=false', () => {
  let containerId: string;

  it('starts a labelled, limited, unprivileged container with only NET_ADMIN and /dev/net/tun on its own network and the configured one', async () => {
    const res = await t.api('POST', '/vpn/connect', { user_id: 'carol' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'started', user_id: 'carol', container_id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    containerId = res.body.container_id;
    const info = await docker.getContainer(containerId).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.Config.Image).toBe(BACKEND_IMAGE);
    expect(info.Config.Labels['vigilink.user']).toBe('carol');
    expect(info.Name).toMatch(/^\/vigilink-carol-[0-9a-f]{8}$/);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd).toEqual(['NET_ADMIN']);
    expect(info.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(info.HostConfig.Devices).toEqual([expect.objectContaining({ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun' })]);
    expect(info.HostConfig.Memory).toBe(512 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(1e9);
    expect(info.HostConfig.PidsLimit).toBe(256);
    const own = info.Name.slice(1);
    expect(Object.keys(info.NetworkSettings.Networks).sort()).toEqual([own, network.name].sort());
    expect((await docker.getNetwork(own).inspect()).Labels).toMatchObject({ 'vigilink.own-network': '1', 'vigilink.user': 'carol' });
  });

  it('reports the container with no tunnel, and stores container_id and container_started_at', async () => {
    const res = await t.api('GET', '/vpn/status?user_id=carol');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true, container_id: containerId, vpn: { state: 'none', ip: null, server: null } });
    const snapshot = await t.bridge.context.state.snapshot('carol');
    expect(snapshot.vpn).toMatchObject({ container_id: containerId, state: 'none' });
    const stored = t.bridge.context.store.user('carol');
    expect(stored?.container_id).toBe(containerId);
    expect(Date.parse(stored?.container_started_at ?? '')).toBeGreaterThan(Date.now() - 120_000);
  });

  it('reuses the same container when the user connects again', async () => {
    const res = await t.api('POST', '/vpn/connect', { user_id: 'carol', real: false });
    expect(res.status).toBe(200);
    expect(res.body.container_id).toBe(containerId);
    expect(await bridgeContainers(t.dataDir)).toHaveLength(1);
  });

  it("lists every user's container for the owner, and refuses a paired device", async () => {
    const res = await t.api('GET', '/vpn/containers');
    expect(res.status).toBe(200);
    expect(res.body.containers).toEqual([
      { user_id: 'carol', container_id: containerId, started_at: expect.any(String), state: 'none', ip: null, server: null },
    ]);
    const offer = await t.api('POST', '/api/pair/offer', { user_id: 'carol', device_name: 'phone' });
    const secret = new URL(offer.body.url).hash.slice(1);
    const claim = await t.api('POST', '/api/pair/claim', { secret, device_name: 'phone' }, { token: null });
    const refused = await t.api('GET', '/vpn/containers', undefined, { token: claim.body.token });
    expect(refused.status).toBe(403);
  });

  it('runs bastion commands in the container as sh -c, with container_id in the answer', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'carol', command: 'echo "$0" $((6*7)); cat /etc/hostname >/dev/null; echo err >&2; exit 4' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stdout: 'sh 42\n', stderr: 'err\n', exit_code: 4, container_id: containerId, timed_out: false, truncated: false });
  });

  it('kills a command that overruns its timeout, inside the container too', async () => {
    const started = Date.now();
    const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'carol', command: 'echo started; sleep 30', timeout: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stdout: 'started\n', timed_out: true, exit_code: null, container_id: containerId });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await execIn(containerId, ['sh', '-c', 'pgrep -x sleep -a | grep -c "sleep 30" || true'])).toBe('0\n');
  });

  it('caps command output and says so', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'carol', command: 'head -c 3000000 /dev/zero | tr "\\0" a' });
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(true);
    expect(res.body.stdout.length).toBe(1024 * 1024);
  });

  it('lists and reads the container file system', async () => {
    await execIn(containerId, ['sh', '-c', 'mkdir -p "/tmp/d ir" && printf hello-world >"/tmp/d ir/f.txt" && mkdir "/tmp/d ir/sub"']);
    const list = await t.api('GET', `/api/fs/list?user_id=carol&path=${encodeURIComponent('/tmp/d ir')}`);
    expect(list.status).toBe(200);
    expect(list.body.path).toBe('/tmp/d ir');
    expect(list.body.entries).toEqual([
      expect.objectContaining({ name: 'sub', type: 'dir', mode: 'drwxr-xr-x' }),
      expect.objectContaining({ name: 'f.txt', type: 'file', size: 11, mode: '-rw-r--r--' }),
    ]);
    const read = await t.api('GET', `/api/fs/read?user_id=carol&path=${encodeURIComponent('/tmp/d ir/f.txt')}&offset=6&length=100`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ path: '/tmp/d ir/f.txt', offset: 6, data: 'world', encoding: 'utf8', size: 11, eof: true });
    const home = await t.api('GET', '/api/fs/list?user_id=carol');
    expect(home.body.path).toBe('/home/vigilink');
  });

  it('downloads from the container when no session is named: whole, a Range, past the end, missing', async () => {
    // 3 MiB of random bytes, so a download that came from anywhere else could not match.
    await execIn(containerId, ['sh', '-c', 'head -c 3145728 /dev/urandom >"/tmp/d ir/blob.bin"']);
    const expected = Buffer.from(await execIn(containerId, ['sh', '-c', 'base64 -w0 "/tmp/d ir/blob.bin"']), 'base64');
    expect(expected.length).toBe(3145728);
    const url = `${t.baseUrl}/api/fs/download?user_id=carol&path=${encodeURIComponent('/tmp/d ir/blob.bin')}`;
    const auth = { authorization: `Bearer ${t.token}` };

    const whole = await fetch(url, { headers: auth });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(expected.length));
    expect(whole.headers.get('content-disposition')).toContain('filename="blob.bin"');
    expect(Buffer.from(await whole.arrayBuffer()).equals(expected)).toBe(true);

    const part = await fetch(url, { headers: { ...auth, range: 'bytes=1000000-1999999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000000-1999999/${expected.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(expected.subarray(1000000, 2000000))).toBe(true);

    const past = await fetch(url, { headers: { ...auth, range: `bytes=${expected.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${expected.length}`);

    const missing = await t.api('GET', `/api/fs/download?user_id=carol&path=${encodeURIComponent('/tmp/x; touch /tmp/pwned')}`);
    expect(missing.status).toBe(404);
    expect(await execIn(containerId, ['sh', '-c', 'test -e /tmp/pwned && echo PWNED || echo clean'])).toBe('clean\n');
    // A file that reports size 0 is streamed whole.
    const proc = await fetch(`${t.baseUrl}/api/fs/download?user_id=carol&path=/proc/self/status`, { headers: auth });
    expect(proc.status).toBe(200);
    expect(await proc.text()).toMatch(/^Name:/);
  });

  it('reads 64 KiB at a 100 MiB offset', async () => {
    await execIn(containerId, ['sh', '-c', 'truncate -s 110M /tmp/big && printf MARK | dd of=/tmp/big bs=1 seek=104857600 conv=notrunc status=none']);
    const res = await t.api('GET', '/api/fs/read?user_id=carol&path=/tmp/big&offset=104857600&length=65536&encoding=base64');
    expect(res.status).toBe(200);
    const data = Buffer.from(res.body.data, 'base64');
    expect(data.length).toBe(65536);
    expect(data.subarray(0, 4).toString()).toBe('MARK');
    expect(res.body).toMatchObject({ size: 110 * 1024 * 1024, eof: false });
    // Its latency is measured in bench/vpn.bench.ts, not asserted here.
  });

  it.each(['/tmp/x; touch /tmp/pwned', '$(touch /tmp/pwned)', '`touch /tmp/pwned`', '-delete', "'; touch /tmp/pwned; '", '../../tmp/x\ny'])(
    'treats the hostile path %j as a plain (missing) file name',
    async (hostile) => {
      const list = await t.api('GET', `/api/fs/list?user_id=carol&path=${encodeURIComponent(hostile)}`);
      expect(list.status).toBe(404);
      const read = await t.api('GET', `/api/fs/read?user_id=carol&path=${encodeURIComponent(hostile)}`);
      expect(read.status).toBe(404);
      expect(read.body.detail).toBe(`No such file or directory: ${hostile}`);
      expect(await execIn(containerId, ['sh', '-c', 'test -e /tmp/pwned && echo PWNED || echo clean'])).toBe('clean\n');
    },
  );

  it('answers 404 for a directory read as a list of a file, and 400 for reading a directory', async () => {
    expect((await t.api('GET', '/api/fs/read?user_id=carol&path=/tmp')).status).toBe(400);
    expect((await t.api('GET', '/api/fs/list?user_id=carol&path=/etc/hostname')).status).toBe(400);
  });

  it('opens an interactive terminal in the container (socket.io term:open target "container"), resizes and closes it', async () => {
    const socket = await connectSocket(t.baseUrl, { token: t.token, user_id: 'carol' });
    try {
      let text = '';
      socket.on('term:data', (payload, ack) => {
        text += Buffer.from(payload.data as Uint8Array).toString('utf8');
        ack();
      });
      const shows = (pattern: RegExp) => (): boolean => {
        if (!pattern.test(text)) throw new Error(`the terminal shows ${JSON.stringify(text.slice(-300))}`);
        return true;
      };
      const opened = await request<TermOpened>(socket, 'term:open', { user_id: 'carol', target: 'container', cols: 80, rows: 24 });
      expect(opened.ok, JSON.stringify(opened)).toBe(true);
      const id = opened.ok ? opened.data.terminal_id : '';
      // As the container's unprivileged user, never root.
      await request(socket, 'term:input', { terminal_id: id, data: 'echo "in-$(cat /etc/hostname | wc -l)-$((40+2))-$(id -un)"; stty size\n' });
      await eventually('the terminal to show the echo and its size', shows(/in-1-42-vigilink\r?\n24 80/), { intervalMs: 20 });
      await request(socket, 'term:resize', { terminal_id: id, cols: 100, rows: 30 });
      // A resize reaches the pty asynchronously (as SSH's window-change does): ask until it shows.
      await eventually('the resize to reach the shell', async () => {
        await request(socket, 'term:input', { terminal_id: id, data: 'stty size\n' });
        return shows(/30 100/)();
      }, { intervalMs: 200 });
      const exited = waitForEvent(socket, 'term:exit', (payload) => payload.terminal_id === id, 10_000);
      await request(socket, 'term:close', { terminal_id: id });
      await exited;
      await eventually('no bash left in the container', async () => (await execIn(containerId, ['sh', '-c', 'pgrep -c bash || true'])) === '0\n', { timeoutMs: 5000, intervalMs: 100 });
    } finally {
      socket.close();
    }
  });

  it('disconnect removes the container; status and disconnect then answer 404', async () => {
    const res = await t.api('POST', '/vpn/disconnect?user_id=carol');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'stopped' });
    expect(await bridgeContainers(t.dataDir)).toHaveLength(0);
    expect(await docker.listNetworks({ filters: { label: ['vigilink.own-network=1', `vigilink.instance=${instanceId(t.dataDir)}`] } })).toEqual([]);
    expect((await t.api('GET', '/vpn/status?user_id=carol')).status).toBe(404);
    expect((await t.api('POST', '/vpn/disconnect?user_id=carol')).status).toBe(404);
    expect(t.bridge.context.store.user('carol')?.container_id ?? null).toBeNull();
    const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'carol', command: 'true' });
    expect(run.status).toBe(404);
  });
});

describe('POST /vpn/connect failures', () => {
  it('answers 400 for real=true without vpn_url', async () => {
    const res = await t.api('POST', '/vpn/connect', { user_id: 'dave', real: true, username: 'u', password: 'p' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/vpn_url/);
    expect(await bridgeContainers(t.dataDir)).toHaveLength(0);
  });

  it("answers 500 with the earlier backend's message when the image is missing", async () => {
    const b = await bridge({ DOCKER_IMAGE: 'vigilink-no-such-image:never' });
    const res = await b.api('POST', '/vpn/connect', { user_id: 'erin' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: "Container creation failed: Docker image 'vigilink-no-such-image:never' not found. Build it with: npm run image" });
    expect(await bridgeContainers(b.dataDir)).toHaveLength(0);
  });

  it('answers 500 naming VIGILINK_DOCKER_NETWORK when it does not exist, and leaves no container or network', async () => {
    const b = await bridge({ VIGILINK_DOCKER_NETWORK: 'vigilink-no-such-network' });
    const res = await b.api('POST', '/vpn/connect', { user_id: 'erin' });
    expect(res.status).toBe(500);
    expect(res.body.detail).toMatch(/^Container start failed: .*vigilink-no-such-network/);
    expect(await bridgeContainers(b.dataDir)).toHaveLength(0);
    expect(await docker.listNetworks({ filters: { label: [`vigilink.instance=${instanceId(b.dataDir)}`] } })).toEqual([]);
  });

  it('answers 500 "Docker is not available" when the daemon cannot be reached', async () => {
    const b = await bridge({ DOCKER_HOST: 'unix:///tmp/vigilink-no-docker-here.sock' });
    const res = await b.api('POST', '/vpn/connect', { user_id: 'erin' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: 'Docker is not available. Ensure Docker daemon is running.' });
    expect((await b.api('GET', '/healthz')).status).toBe(200);
  });

  it('rate-limits connects closer than VPN_COOLDOWN_SECONDS with 429 and Retry-After', async () => {
    const b = await bridge({ VPN_COOLDOWN_SECONDS: '30' });
    expect((await b.api('POST', '/vpn/connect', { user_id: 'frank' })).status).toBe(200);
    const again = await b.api('POST', '/vpn/connect', { user_id: 'frank' });
    expect(again.status).toBe(429);
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(28);
    expect(retryAfter).toBeLessThanOrEqual(30);
    // Another user is not held back by frank's cooldown.
    expect((await b.api('POST', '/vpn/connect', { user_id: 'grace' })).status).toBe(200);
  });
});

describe('CONTAINER_TIMEOUT', () => {
  it('removes containers older than the timeout and forgets them', async () => {
    const b = await bridge({ CONTAINER_TIMEOUT: '2', VPN_HEALTH_INTERVAL_SECONDS: '0.5' });
    expect((await b.api('POST', '/vpn/connect', { user_id: 'heidi' })).status).toBe(200);
    expect(await bridgeContainers(b.dataDir)).toHaveLength(1);
    await eventually('the timed-out container to be removed', async () => (await bridgeContainers(b.dataDir)).length === 0, { timeoutMs: 15_000, intervalMs: 250 });
    expect((await b.api('GET', '/vpn/status?user_id=heidi')).status).toBe(404);
  });
});
