// Users' VPN containers kept apart, against real Docker and the tests' ocserv: from user A's container
// (tunnel up), user B's container and the workstation's side of every network (the gateways) are
// unreachable, A's own commands run unprivileged and cannot undo the firewall, and A's tunnel still works.
import net from 'node:net';
import os from 'node:os';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { instanceId } from '../../bridge/vpn/container-side.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import {
  BACKEND_IMAGE,
  bridgeContainers,
  createInternalNetwork,
  docker,
  driver,
  ensureBackendImage,
  execIn,
  removeBridgeContainers,
  requireDocker,
  TEST_LABEL,
  type InternalNetwork,
} from '../support/docker.js';
import { OCSERV_IMAGE, startOcserv, VPN_PASSWORD, VPN_POOL, VPN_USER, type Ocserv } from '../support/ocserv.js';

const account = inject('testAccount');
const B_PORT = 7070;
let network: InternalNetwork;
let ocserv: Ocserv;
let t: TestBridge;
let alice: string;
let bob: string;
/** A container without the bridge's firewall on alice's networks: proves a target is reachable at all. */
let control: Docker.Container | undefined;
const listeners: net.Server[] = [];

type Networks = Record<string, { IPAddress: string; Gateway: string }>;
const networksOf = async (id: string): Promise<Networks> => (await docker.getContainer(id).inspect()).NetworkSettings.Networks as Networks;

/** A TCP listener on the workstation at `address` (a Docker bridge's own address, never the LAN's). */
async function listenOn(address: string): Promise<number> {
  const server = net.createServer((socket) => socket.end('workstation\n'));
  listeners.push(server);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return (server.address() as net.AddressInfo).port;
}

const probeScript = (ip: string, port: number) => `socat -u /dev/null TCP:${ip}:${port},connect-timeout=3 2>/dev/null && echo reached || echo blocked`;

/** Whether alice's own command (through the API, as users run them) connects to ip:port. */
async function aliceReaches(ip: string, port: number): Promise<string> {
  const res = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', command: probeScript(ip, port), timeout: 20 });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.stdout.trim();
}

const controlReaches = async (ip: string, port: number): Promise<string> => (await execIn(control!.id, ['sh', '-c', probeScript(ip, port)])).trim();

beforeAll(async () => {
  await requireDocker();
  await ensureBackendImage();
  network = await createInternalNetwork();
  ocserv = await startOcserv(network.name, { username: account.username, password: account.password });
  t = await startBridge({ VIGILINK_DOCKER_NETWORK: network.name, VPN_CONTAINER_NETWORK_INTERNAL: '1', VPN_COOLDOWN_SECONDS: '0', VPN_CONNECT_TIMEOUT_SECONDS: '30' });
  const a = await t.api('POST', '/vpn/connect', { user_id: 'alice', vpn_url: ocserv.url, username: VPN_USER, password: VPN_PASSWORD, servercert: ocserv.pin, real: true });
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  alice = a.body.container_id;
  const b = await t.api('POST', '/vpn/connect', { user_id: 'bob' });
  expect(b.status, JSON.stringify(b.body)).toBe(200);
  bob = b.body.container_id;
  // B serves something on every address; root in B starts it (as a user's own service would be).
  await execIn(bob, ['sh', '-c', `nohup socat TCP-LISTEN:${B_PORT},fork,reuseaddr SYSTEM:'echo bob' >/dev/null 2>&1 &`]);
  const aliceNetworks = Object.keys(await networksOf(alice));
  control = await docker.createContainer({ Image: BACKEND_IMAGE, Cmd: ['sleep', 'infinity'], Labels: { [TEST_LABEL]: 'control' }, HostConfig: { NetworkMode: aliceNetworks[0], Init: true } });
  for (const name of aliceNetworks.slice(1)) await docker.getNetwork(name).connect({ Container: control.id });
  await control.start();
}, 600_000);

afterAll(async () => {
  for (const server of listeners) server.close();
  if (control) await driver.remove(control.id);
  await t?.close();
  if (t) await removeBridgeContainers(t.dataDir);
  await ocserv?.stop();
  await network?.remove();
});

describe("a user's VPN container", () => {
  it('has its tunnel to ocserv up', async () => {
    const res = await t.api('GET', '/vpn/status?user_id=alice');
    expect(res.body).toMatchObject({ connected: true, vpn: { state: 'up', server: ocserv.url } });
    expect(res.body.vpn.ip).toMatch(VPN_POOL);
  });

  it("cannot reach another user's container, on the shared network or B's own", async () => {
    expect((await execIn(bob, ['socat', '-u', `TCP:127.0.0.1:${B_PORT}`, '-'])).trim()).toBe('bob');
    const bNetworks = await networksOf(bob);
    expect(Object.keys(bNetworks)).toHaveLength(2);
    for (const [name, { IPAddress }] of Object.entries(bNetworks)) {
      expect(await aliceReaches(IPAddress, B_PORT), `B on ${name}`).toBe('blocked');
    }
  });

  it("cannot reach the workstation through any of its networks' gateways, which a container without the firewall reaches", async () => {
    const gateways = Object.values(await networksOf(alice)).map((n) => n.Gateway);
    expect(gateways).toHaveLength(2);
    for (const gateway of gateways) {
      const port = await listenOn(gateway);
      expect(await controlReaches(gateway, port), `control to ${gateway}`).toBe('reached');
      expect(await aliceReaches(gateway, port), `alice to ${gateway}`).toBe('blocked');
    }
  });

  it('rejects every address of the workstation, those that came with later containers too (read from the rules, nothing is sent)', async () => {
    const rules = await execIn(alice, ['iptables', '-S', 'OUTPUT']);
    const ours = Object.values(os.networkInterfaces())
      .flatMap((list) => list ?? [])
      .filter((a) => !a.internal && a.family === 'IPv4')
      .map((a) => a.address);
    // Bob's own network was made after alice's container: its gateway is the workstation too.
    const bobGateways = Object.values(await networksOf(bob)).map((n) => n.Gateway);
    for (const address of [...ours, ...bobGateways]) expect(rules).toContain(`-A OUTPUT -d ${address}/32 -j REJECT`);
    expect(await execIn(alice, ['iptables', '-S', 'INPUT'])).toContain('-P INPUT DROP');
  });

  it('runs the user\'s commands as an unprivileged user without capabilities, who cannot flush the rules', async () => {
    const res = await t.api('POST', '/api/terminal/bastion/run', {
      user_id: 'alice',
      command: 'id -un; grep CapEff /proc/self/status; iptables -F OUTPUT 2>/dev/null; echo "flush=$?"; iptables -P INPUT ACCEPT 2>/dev/null; echo "policy=$?"; ip link set vigilink0 down 2>/dev/null; echo "link=$?"',
    });
    expect(res.status).toBe(200);
    expect(res.body.stdout).toMatch(/^vigilink\nCapEff:\s+0000000000000000\nflush=[1-9]\d*\npolicy=[1-9]\d*\nlink=[1-9]\d*\n$/);
    const rules = await execIn(alice, ['iptables', '-S']);
    expect(rules).toContain('-P INPUT DROP');
    expect(rules).toMatch(/-A OUTPUT -d \S+ -j REJECT/);
    expect((await t.api('GET', '/vpn/status?user_id=alice')).body.vpn.state).toBe('up');
  });

  it("reads files as that user: root's home is off limits", async () => {
    const res = await t.api('GET', '/api/fs/list?user_id=alice&path=/root');
    expect(res.status).toBe(403);
  });

  it('refuses an image without the firewall (built before it), saying to rebuild, and leaves nothing behind', async () => {
    const old = await startBridge({ DOCKER_IMAGE: OCSERV_IMAGE, VIGILINK_DOCKER_NETWORK: network.name, VPN_CONTAINER_NETWORK_INTERNAL: '1' });
    try {
      const res = await old.api('POST', '/vpn/connect', { user_id: 'carol' });
      expect(res.status).toBe(500);
      expect(res.body.detail).toMatch(/^Container start failed: its firewall could not be set \(the image predates it: rebuild it with npm run image\)/);
      expect(await bridgeContainers(old.dataDir)).toEqual([]);
      expect(await docker.listNetworks({ filters: { label: [`vigilink.instance=${instanceId(old.dataDir)}`] } })).toEqual([]);
    } finally {
      await old.close();
    }
  });

  it('removes B\'s own network with its container', async () => {
    const own = Object.keys(await networksOf(bob)).find((name) => name !== network.name)!;
    expect((await t.api('POST', '/vpn/disconnect?user_id=bob')).status).toBe(200);
    await expect(docker.getNetwork(own).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
