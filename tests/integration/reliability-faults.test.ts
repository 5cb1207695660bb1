// The reliability campaign's faults: an sshd connection killed and frozen under running commands, the
// bridge SIGKILLed during state changes and restarted, and Docker going away and coming back. The
// machine's dockerd is shared, so it is never restarted: the bridge talks to it through a unix-socket
// proxy that the test stops (the daemon gone for the bridge) while it kills the containers the bridge
// made (what a daemon restart without live-restore does to them), then starts again.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeDataDir, startBridge, type TestBridge } from '../support/bridge.js';
import { bridgeContainers, createInternalNetwork, driver, ensureBackendImage, removeBridgeContainers, requireDocker, type InternalNetwork } from '../support/docker.js';
import { pairDevice } from '../support/live-client.js';
import { sweepForSecrets } from '../support/secrets-sweep.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { startBridgeChild, type BridgeChild } from '../support/server-child.js';
import { connectBody, connectionProcesses, signalAll } from '../support/ssh-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let sshd: Sshd;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

/** The `sleep 60` processes running under an sshd: the commands have started, not only been asked for. */
function sleepsUnder(own: Sshd): number {
  return connectionProcesses(own).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\u000060\u0000';
    } catch {
      return false;
    }
  }).length;
}

const run = (t: TestBridge, userId: string, command: string) => t.api('POST', '/api/terminal/bastion/run', { user_id: userId, command, timeout: 120 });

describe('sshd faults under running commands', () => {
  it('answers every running command soon after the connection is killed, marks the session inactive with a reason, and reconnects', async () => {
    const own = await startSshd();
    const t = await startBridge();
    try {
      expect((await t.api('POST', '/ssh/connect', connectBody(own, account, { user_id: 'kim' }))).status).toBe(200);
      const running = Array.from({ length: 5 }, () => run(t, 'kim', 'sleep 60'));
      await eventually('the commands to run', () => sleepsUnder(own) >= 5, 30_000);
      const killedAt = Date.now();
      signalAll(connectionProcesses(own), 'SIGKILL');
      for (const answer of await Promise.all(running)) {
        expect(answer.status).toBe(502);
        expect(answer.body.detail).toMatch(/dropped while the command ran/);
      }
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      const status = await t.api('GET', '/ssh/status?user_id=kim');
      expect(status.body.sessions).toMatchObject([{ session_id: 'default', active: false, reason: expect.any(String) }]);
      expect((await t.api('POST', '/ssh/connect', connectBody(own, account, { user_id: 'kim' }))).status).toBe(200);
      expect((await run(t, 'kim', 'echo back')).body.stdout).toBe('back\n');
    } finally {
      await t.close();
      await own.stop();
    }
  }, 120_000);

  it('answers every running command within the keepalive bound when the connection freezes, and reconnects after it thaws', async () => {
    const own = await startSshd();
    const t = await startBridge({ SSH_KEEPALIVE_SECONDS: '1' });
    let frozen: number[] = [];
    try {
      expect((await t.api('POST', '/ssh/connect', connectBody(own, account, { user_id: 'lee' }))).status).toBe(200);
      const running = Array.from({ length: 3 }, () => run(t, 'lee', 'sleep 60'));
      await eventually('the commands to run', () => sleepsUnder(own) >= 3, 30_000);
      frozen = connectionProcesses(own);
      const frozenAt = Date.now();
      signalAll(frozen, 'SIGSTOP');
      for (const answer of await Promise.all(running)) expect(answer.status).toBe(502);
      expect(Date.now() - frozenAt).toBeLessThan(20_000);
      const status = await t.api('GET', '/ssh/status?user_id=lee');
      expect(status.body.sessions).toMatchObject([{ active: false, reason: expect.stringMatching(/keepalives/) }]);
      signalAll(frozen, 'SIGCONT');
      expect((await t.api('POST', '/ssh/connect', connectBody(own, account, { user_id: 'lee' }))).status).toBe(200);
      expect((await run(t, 'lee', 'echo thawed')).body.stdout).toBe('thawed\n');
    } finally {
      signalAll(frozen, 'SIGKILL');
      await t.close();
      await own.stop();
    }
  }, 120_000);
});

interface ChangeOutcome {
  devices: Array<{ token: string; userId: string }>;
}

/** State changes in flight: pairings (devices.json), SSH connects (conns.json, known-hosts.json), audit lines. */
function changeState(child: BridgeChild, round: number): { outcome: ChangeOutcome; done: Promise<unknown> } {
  const outcome: ChangeOutcome = { devices: [] };
  const t = { baseUrl: child.baseUrl, token: child.token } as TestBridge;
  const api = (method: string, route: string, body?: unknown, options: { token?: string | null } = {}) => {
    const token = options.token === undefined ? child.token : options.token;
    return fetch(child.baseUrl + route, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then(async (res) => ({ status: res.status, body: await res.json().catch(() => null) }), () => null);
  };
  t.api = api as never;
  const pairings = Array.from({ length: 6 }, (_, i) =>
    pairDevice(t, `r${round}u${i}`).then((device) => outcome.devices.push({ token: device.token, userId: device.userId }), () => undefined),
  );
  const connects = Array.from({ length: 4 }, (_, i) => api('POST', `/ssh/connect?session_id=s${i}`, connectBody(sshd, account, { user_id: `r${round}c${i}` })));
  return { outcome, done: Promise.all([...pairings, ...connects]) };
}

describe('bridge SIGKILLed during state changes', () => {
  it('restarts with state files that parse, the owner token, and every device token it answered', async () => {
    const dataDir = makeDataDir();
    const answered: ChangeOutcome['devices'] = [];
    let cutShort = 0;
    // Kill points spread over the burst: after the first, the third and the fifth of six pairings answered,
    // so the kill always lands with work in flight whatever the machine's load.
    for (const [round, killAfterDevices] of [1, 3, 5].entries()) {
      const child = await startBridgeChild({ dataDir, env: { PAIR_CLAIMS_PER_MINUTE: '1000' } });
      const { outcome, done } = changeState(child, round);
      let settled = false;
      void done.then(() => (settled = true));
      await eventually('pairings to be answered', () => outcome.devices.length >= killAfterDevices || settled, 120_000);
      if (!settled) cutShort++;
      expect(await child.stop('SIGKILL')).toBeNull();
      await done;
      answered.push(...outcome.devices);
      for (const file of fs.readdirSync(dataDir).filter((f) => f.endsWith('.json'))) {
        expect(() => JSON.parse(fs.readFileSync(path.join(dataDir, file), 'utf8')), file).not.toThrow();
      }
    }
    expect(cutShort, 'the kill must land during the burst at least once').toBeGreaterThan(0);
    const child = await startBridgeChild({ dataDir });
    try {
      const owner = await fetch(`${child.baseUrl}/api/devices`, { headers: { authorization: `Bearer ${child.token}` } });
      expect(owner.status).toBe(200);
      for (const device of answered) {
        const res = await fetch(`${child.baseUrl}/ssh/status`, { headers: { authorization: `Bearer ${device.token}` } });
        expect(res.status, `device of ${device.userId}, answered before the kill`).toBe(200);
      }
      // Killed mid-write or not, no state file holds a device token or the SSH password.
      const secrets = new Map([['SSH password', account.password], ...answered.map((d, i): [string, string] => [`device token ${i}`, d.token])]);
      expect(await sweepForSecrets({ dataDir, secrets, ownerToken: child.token })).toEqual([]);
    } finally {
      await child.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

/** A unix-socket proxy to the real Docker socket: stopping it is the daemon going away, for one bridge only. */
async function dockerProxy(socketPath: string): Promise<{ stop(): Promise<void>; start(): Promise<void> }> {
  const connections = new Set<net.Socket>();
  let server: net.Server | null = null;
  const start = async (): Promise<void> => {
    fs.rmSync(socketPath, { force: true });
    server = net.createServer((client) => {
      const upstream = net.connect('/var/run/docker.sock');
      for (const s of [client, upstream]) {
        connections.add(s);
        s.on('error', () => undefined);
        s.on('close', () => connections.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
  };
  const stop = async (): Promise<void> => {
    for (const s of connections) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  };
  await start();
  return { start, stop };
}

describe('Docker gone and back (the shared dockerd is never restarted)', () => {
  let network: InternalNetwork;
  beforeAll(async () => {
    await requireDocker();
    await ensureBackendImage();
    network = await createInternalNetwork();
  }, 600_000);
  afterAll(async () => {
    await network?.remove();
  });

  it('answers with 4xx/documented errors while Docker is gone, reports the killed container, adopts a running one, and leaves no orphan', async () => {
    const dataDir = makeDataDir();
    const proxy = await dockerProxy(path.join(dataDir, 'docker.sock'));
    const env = { VIGILINK_DOCKER_NETWORK: network.name, VPN_COOLDOWN_SECONDS: '0', VPN_HEALTH_INTERVAL_SECONDS: '1', DOCKER_HOST: `unix://${path.join(dataDir, 'docker.sock')}` };
    let t = await startBridge(env, dataDir);
    try {
      expect((await t.api('POST', '/vpn/connect', { user_id: 'dora', real: false })).status).toBe(200);
      expect((await t.api('POST', '/vpn/connect', { user_id: 'eve', real: false })).status).toBe(200);
      await proxy.stop();
      // What a daemon restart without live-restore does: the containers stop.
      const [dora] = (await bridgeContainers(dataDir)).filter((c) => c.labels['vigilink.user'] === 'dora');
      await driver.remove(dora!.id);
      for (const route of ['/vpn/status?user_id=dora', '/vpn/containers']) {
        const res = await t.api('GET', route);
        expect(res.status === 200 || res.status === 503 || res.status === 500, `${route}: ${res.status} ${JSON.stringify(res.body)}`).toBe(true);
        if (res.status !== 200) expect(typeof res.body.detail).toBe('string');
      }
      expect((await t.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
      await proxy.start();
      await eventually('dora\'s killed container to be reported', async () => (await t.api('GET', '/vpn/status?user_id=dora')).status === 404, 30_000);
      // A restarted bridge adopts eve's running container instead of making a second one.
      await t.close();
      t = await startBridge(env, dataDir);
      const eve = await t.api('GET', '/vpn/status?user_id=eve');
      expect(eve.status).toBe(200);
      expect((await t.api('POST', '/vpn/connect', { user_id: 'eve', real: false })).status).toBe(200);
      const containers = await bridgeContainers(dataDir);
      expect(containers.map((c) => c.labels['vigilink.user'])).toEqual(['eve']);
    } finally {
      await t.close();
      await proxy.stop();
      await removeBridgeContainers(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
