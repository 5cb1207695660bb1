// End to end against a real AnyConnect server (ocserv in a container on an --internal network): tunnel
// up with the cert pin, SSH to a VPN-only host through the user's container, files, wrong password,
// cooldown, password secrecy, disconnect, adoption after a restart, server death and auto-reconnect.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import {
  bridgeContainers,
  createInternalNetwork,
  docker,
  driver,
  ensureBackendImage,
  execIn,
  removeBridgeContainers,
  requireDocker,
  type InternalNetwork,
} from '../support/docker.js';
import { startOcserv, VPN_PASSWORD, VPN_POOL, VPN_SIDE_SSH_HOST, VPN_USER, type Ocserv } from '../support/ocserv.js';

const account = inject('testAccount');
let network: InternalNetwork;
let ocserv: Ocserv;
let t: TestBridge;
const dataDirs: string[] = [];

const env = (): Record<string, string> => ({ VIGILINK_DOCKER_NETWORK: network.name, VPN_CONTAINER_NETWORK_INTERNAL: '1', VPN_HEALTH_INTERVAL_SECONDS: '1', VPN_CONNECT_TIMEOUT_SECONDS: '20' });
const connectBody = (userId: string, extra: Record<string, unknown> = {}) => ({
  user_id: userId,
  vpn_url: ocserv.url,
  username: VPN_USER,
  password: VPN_PASSWORD,
  servercert: ocserv.pin,
  real: true,
  ...extra,
});

beforeAll(async () => {
  await requireDocker();
  await ensureBackendImage();
  network = await createInternalNetwork();
  ocserv = await startOcserv(network.name, { username: account.username, password: account.password });
  t = await startBridge(env());
  dataDirs.push(t.dataDir);
}, 600_000);

afterAll(async () => {
  await t?.close();
  for (const dir of dataDirs) await removeBridgeContainers(dir);
  await ocserv?.stop();
  await network?.remove();
});

describe('a real tunnel to ocserv', () => {
  let containerId: string;

  it('connects with real=true and the certificate pin, and waits for the tunnel', async () => {
    const res = await t.api('POST', '/vpn/connect', connectBody('alice'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ status: 'started', user_id: 'alice', container_id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    containerId = res.body.container_id;
  });

  it('reports the tunnel up with an address from the pool, read from the container', async () => {
    const res = await t.api('GET', '/vpn/status?user_id=alice');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true, container_id: containerId, vpn: { state: 'up', server: ocserv.url, reason: null } });
    expect(res.body.vpn.ip).toMatch(VPN_POOL);
    expect(Date.parse(res.body.vpn.since)).toBeGreaterThan(Date.now() - 120_000);
    expect(await execIn(containerId, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'vigilink0'])).toContain(`${res.body.vpn.ip}/`);
    expect((await t.bridge.context.state.snapshot('alice')).vpn).toMatchObject({ state: 'up', ip: res.body.vpn.ip, container_id: containerId });
  });

  it('rejects a second connect inside the cooldown with 429 and Retry-After', async () => {
    const res = await t.api('POST', '/vpn/connect', connectBody('alice'));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('connects SSH to a host only the VPN reaches, through the container, and runs a command there', async () => {
    const ssh = await t.api('POST', '/ssh/connect?session_id=cluster', {
      user_id: 'alice',
      hostname: VPN_SIDE_SSH_HOST,
      port: 22,
      username: account.username,
      password: account.password,
    });
    expect(ssh.status, JSON.stringify(ssh.body)).toBe(200);
    const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', session_id: 'cluster', command: 'echo "$(id -un)@$(ip -o -4 addr show dev lo | grep -c 10.77.1.1)"' });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ stdout: `${account.username}@1\n`, exit_code: 0, container_id: null });
    // The sshd is on the server's VPN side; the container routes it into the tunnel (asked without sending a packet).
    expect(await execIn(containerId, ['ip', 'route', 'get', VPN_SIDE_SSH_HOST])).toContain('dev vigilink0');
    const listed = (await t.api('GET', '/ssh/status?user_id=alice')).body.sessions;
    expect(listed).toEqual([expect.objectContaining({ session_id: 'cluster', hostname: VPN_SIDE_SSH_HOST, active: true })]);
  });

  it('turns a refused port behind the tunnel into a clear 502', async () => {
    const res = await t.api('POST', '/ssh/connect?session_id=refused', { user_id: 'alice', hostname: VPN_SIDE_SSH_HOST, port: 2222, username: 'x', password: 'y' });
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/refused/i);
  });

  it('runs bastion commands in the container when no session is named', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command: 'ip -o -4 addr show dev vigilink0 | wc -l' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stdout: '1\n', exit_code: 0, container_id: containerId });
  });

  it('lists and reads files in the container (not over SFTP) when no session is named', async () => {
    const list = await t.api('GET', '/api/fs/list?user_id=alice&path=/usr/local/bin');
    expect(list.status).toBe(200);
    expect(list.body.entries.map((e: { name: string }) => e.name)).toContain('vigilink-vpn');
    const read = await t.api('GET', '/api/fs/read?user_id=alice&path=/run/vigilink/server');
    expect(read.body).toMatchObject({ data: `${ocserv.url}\n`, eof: true });
  });

  it('keeps the password out of docker inspect, the container process list and log, the bridge log and conns.json', async () => {
    const places: Record<string, string> = {
      inspect: JSON.stringify(await docker.getContainer(containerId).inspect()),
      processes: await execIn(containerId, ['sh', '-c', 'ps auxwwe; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "']),
      containerLog: (await driver.logs(containerId, 1000)).join('\n'),
      bridgeLog: fs.readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8'),
      conns: fs.readFileSync(path.join(t.dataDir, 'conns.json'), 'utf8'),
      audit: fs.readFileSync(path.join(t.dataDir, 'audit.log'), 'utf8'),
    };
    expect(places.audit).toContain('"vpn.connect"');
    expect(places.processes).toContain('openconnect');
    expect(places.conns).toContain(containerId);
    for (const [where, text] of Object.entries(places)) expect(text.includes(VPN_PASSWORD), `password found in ${where}`).toBe(false);
  });
});

describe('failures and lifecycle', () => {
  it("answers 500 with openconnect's reason for a wrong password and leaves no container", async () => {
    const res = await t.api('POST', '/vpn/connect', connectBody('mallory', { password: 'not-the-password' }));
    expect(res.status).toBe(500);
    expect(res.body.detail).toBe('VPN connection failed: Login failed.');
    expect(res.body.log_tail.join('\n')).toContain('Login failed.');
    expect((await bridgeContainers(t.dataDir)).filter((c) => c.labels['vigilink.user'] === 'mallory')).toEqual([]);
    expect((await t.api('GET', '/vpn/status?user_id=mallory')).status).toBe(404);
    expect(t.bridge.context.store.user('mallory')).toBeUndefined();
  });

  it('answers 500 naming the certificate when the pin does not match', async () => {
    const wrongPin = 'pin-sha256:' + Buffer.alloc(32, 7).toString('base64');
    const res = await t.api('POST', '/vpn/connect', connectBody('oscar', { servercert: wrongPin }));
    expect(res.status).toBe(500);
    expect(res.body.detail).toMatch(/^VPN connection failed: .*certificate/i);
    expect((await bridgeContainers(t.dataDir)).filter((c) => c.labels['vigilink.user'] === 'oscar')).toEqual([]);
  });

  it('adopts the running container after a bridge restart: status works again, no duplicate', async () => {
    const before = (await t.api('GET', '/vpn/status?user_id=alice')).body;
    await t.close();
    t = await startBridge(env(), t.dataDir);
    const res = await t.api('GET', '/vpn/status?user_id=alice');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true, container_id: before.container_id, vpn: { state: 'up', ip: before.vpn.ip, server: ocserv.url } });
    expect(await bridgeContainers(t.dataDir)).toHaveLength(1);
    expect(t.bridge.context.store.user('alice')?.container_id).toBe(before.container_id);
  });

  it('disconnect stops openconnect, removes the container and closes the SSH sessions through it', async () => {
    const ssh = await t.api('POST', '/ssh/connect?session_id=cluster', {
      user_id: 'alice',
      hostname: VPN_SIDE_SSH_HOST,
      username: account.username,
      password: account.password,
    });
    expect(ssh.status).toBe(200);
    const res = await t.api('POST', '/vpn/disconnect?user_id=alice');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'stopped' });
    expect(await bridgeContainers(t.dataDir)).toHaveLength(0);
    const sessions = (await t.api('GET', '/ssh/status?user_id=alice')).body.sessions as Array<{ session_id: string; active: boolean }>;
    expect(sessions.filter((s) => s.active)).toEqual([]);
    expect((await t.api('GET', '/vpn/status?user_id=alice')).status).toBe(404);
  });

  it('turns the state to down within seconds when ocserv dies, and reconnects (auto_reconnect) when it is back', async () => {
    expect((await t.api('POST', '/vpn/connect', connectBody('bob', { auto_reconnect: true }))).status).toBe(200);
    await ocserv.kill();
    const killedAt = Date.now();
    const down = await eventually('bob down after killing ocserv', async () => {
      const body = (await t.api('GET', '/vpn/status?user_id=bob')).body;
      expect(body.vpn?.state).toBe('down');
      return body;
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(down).toMatchObject({ connected: false, vpn: { state: 'down', ip: null, auto_reconnect: true } });
    // ocserv either says goodbye (openconnect exits) or just vanishes (openconnect retries): down either way.
    expect(down.vpn.reason).toMatch(/terminated|disconnect|retrying/i);
    expect(down.vpn.log_tail.length).toBeGreaterThan(0);
    await ocserv.restart();
    const up = await eventually('bob up after ocserv came back', async () => {
      const body = (await t.api('GET', '/vpn/status?user_id=bob')).body;
      expect(body.vpn?.state).toBe('up');
      return body;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(up.vpn.ip).toMatch(VPN_POOL);
    // The restarted server does not know openconnect's old session cookie, so the bridge logged in again.
    expect(fs.readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8')).toContain('"event":"vpn.reconnect_scheduled"');
  });
});
