// VPN logins that ask more than a password, against real ocserv with PAM (Unix password, then a TOTP code
// from libpam-oath) and a select-group form: prompts relayed over socket.io and REST, a wrong code, no
// answer, auto-reconnect that needs a fresh code, bad answers, and every secret kept out of sight.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { VpnPrompt } from '../../bridge/contracts/vpn.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { eventually } from '../support/eventually.js';
import { bridgeContainers, createInternalNetwork, docker, driver, ensureBackendImage, execIn, removeBridgeContainers, requireDocker, type InternalNetwork } from '../support/docker.js';
import { connectSocket, request, waitForEvent, type ClientSocket } from '../support/live-client.js';
import { startOcserv, totp, TOTP_SECRET_HEX, VPN_PASSWORD, VPN_POOL, VPN_SIDE_SSH_HOST, VPN_USER, type Ocserv } from '../support/ocserv.js';

const account = inject('testAccount');
const PROMPT_TIMEOUT_SECONDS = 8;
let network: InternalNetwork;
let otpServer: Ocserv;
let groupServer: Ocserv;
let t: TestBridge;
let socket: ClientSocket;
/** Every code handed to a server, to look for later. */
const codesUsed: string[] = [];

// pam_oath refuses a code it has accepted before, so each login takes the next 30 s step (its window allows some ahead).
const lastStep = new Map<Ocserv, number>();
function freshCode(server: Ocserv): string {
  const step = Math.max(Math.floor(Date.now() / 30_000), (lastStep.get(server) ?? 0) + 1);
  lastStep.set(server, step);
  const code = totp(TOTP_SECRET_HEX, step * 30_000);
  codesUsed.push(code);
  return code;
}

const connectBody = (server: Ocserv, userId: string, extra: Record<string, unknown> = {}) => ({
  user_id: userId,
  vpn_url: server.url,
  username: VPN_USER,
  password: VPN_PASSWORD,
  servercert: server.pin,
  real: true,
  ...extra,
});

const nextPrompt = async (userId: string, timeoutMs = 30_000): Promise<VpnPrompt> =>
  (await waitForEvent(socket, 'vpn:prompt', (event) => event.user_id === userId && event.prompt !== null, timeoutMs))[0].prompt!;

const containersOf = async (userId: string) => (await bridgeContainers(t.dataDir)).filter((c) => c.labels['vigilink.user'] === userId);

beforeAll(async () => {
  await requireDocker();
  await ensureBackendImage();
  network = await createInternalNetwork();
  otpServer = await startOcserv(network.name, account, 'otp');
  groupServer = await startOcserv(network.name, account, 'groups');
  t = await startBridge({
    VIGILINK_DOCKER_NETWORK: network.name,
    VPN_HEALTH_INTERVAL_SECONDS: '1',
    VPN_CONNECT_TIMEOUT_SECONDS: '30',
    VPN_COOLDOWN_SECONDS: '0',
    VPN_PROMPT_TIMEOUT_SECONDS: String(PROMPT_TIMEOUT_SECONDS),
  });
  socket = await connectSocket(t.baseUrl, { token: t.token });
  for (const user of ['alice', 'bob', 'mallory', 'nora', 'olga']) expect((await request(socket, 'user:watch', { user_id: user })).ok).toBe(true);
}, 900_000);

afterAll(async () => {
  socket?.close();
  await t?.close();
  if (t) await removeBridgeContainers(t.dataDir);
  await otpServer?.stop();
  await groupServer?.stop();
  await network?.remove();
});

describe('a login with a group choice and a one-time code', () => {
  it('relays the group choice and the code over socket.io; the connect answers once the tunnel is up', { timeout: 240_000 }, async () => {
    const connecting = t.api('POST', '/vpn/connect', connectBody(groupServer, 'alice'));
    const group = await nextPrompt('alice');
    expect(group).toMatchObject({ user_id: 'alice', server: groupServer.url, reconnect: false, title: expect.stringContaining(groupServer.ip) });
    expect(group.fields).toEqual([
      {
        name: 'group',
        label: 'Group',
        type: 'select',
        options: [
          { value: 'Lab network', label: 'Lab network' },
          { value: 'Campus network', label: 'Campus network' },
        ],
        one_time_code: false,
      },
    ]);
    expect(Date.parse(group.expires_at) - Date.now()).toBeLessThanOrEqual(PROMPT_TIMEOUT_SECONDS * 1000);
    expect((await t.api('GET', '/vpn/status?user_id=alice')).body.vpn.state).toBe('needs_answer');
    expect((await request(socket, 'vpn:answer', { user_id: 'alice', prompt_id: group.prompt_id, answers: { group: 'Lab network' } })).ok).toBe(true);

    const code = await nextPrompt('alice');
    expect(code.message).toMatch(/One-time password \(OATH\)/);
    expect(code.fields).toEqual([expect.objectContaining({ type: 'password', one_time_code: true })]);
    const answer = await request(socket, 'vpn:answer', { user_id: 'alice', prompt_id: code.prompt_id, answers: { [code.fields[0]!.name]: freshCode(groupServer) } });
    expect(answer).toEqual({ ok: true, data: { status: 'answered' } });

    const res = await connecting;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ status: 'started', user_id: 'alice', container_id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const status = (await t.api('GET', '/vpn/status?user_id=alice')).body;
    expect(status).toMatchObject({ connected: true, vpn: { state: 'up', server: groupServer.url } });
    expect(status.vpn.ip).toMatch(VPN_POOL);
    expect((await t.api('GET', '/vpn/prompt?user_id=alice')).body).toEqual({ prompt: null });

    // The log says which questions the login asked and that each went: what a stuck login is read from.
    const loggedQuestions = () =>
      fs
        .readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"user_id":"alice"') && line.includes('"event":"vpn.prompt'))
        .map((line) => JSON.parse(line) as { event: string; fields?: string[]; reconnect?: boolean })
        .map(({ event, fields, reconnect }) => ({ event, fields, reconnect }));
    // The log file is written asynchronously: wait for all four lines, then compare them.
    await eventually('four vpn.prompt log lines for alice', () => loggedQuestions().length >= 4);
    expect(loggedQuestions()).toEqual([
      { event: 'vpn.prompt', fields: ['group'], reconnect: false },
      { event: 'vpn.prompt_closed', fields: undefined, reconnect: undefined },
      { event: 'vpn.prompt', fields: [code.fields[0]!.name], reconnect: false },
      { event: 'vpn.prompt_closed', fields: undefined, reconnect: undefined },
    ]);
  });

  it('reaches the VPN-only sshd through the tunnel', { timeout: 240_000 }, async () => {
    const ssh = await t.api('POST', '/ssh/connect?session_id=lab', { user_id: 'alice', hostname: VPN_SIDE_SSH_HOST, username: account.username, password: account.password });
    expect(ssh.status, JSON.stringify(ssh.body)).toBe(200);
    const run = await t.api('POST', '/api/terminal/bastion/run', { user_id: 'alice', session_id: 'lab', command: 'id -un' });
    expect(run.body).toMatchObject({ stdout: `${account.username}\n`, exit_code: 0 });
  });
});

describe('answers that cannot work', () => {
  it("gives the server's refusal for a wrong code and leaves nothing running", { timeout: 240_000 }, async () => {
    const connecting = t.api('POST', '/vpn/connect', connectBody(otpServer, 'mallory'));
    const code = await nextPrompt('mallory');
    const wrong = String((Number(totp(TOTP_SECRET_HEX)) + 500_000) % 1_000_000).padStart(6, '0');
    await t.api('POST', '/vpn/prompt/answer', { user_id: 'mallory', prompt_id: code.prompt_id, answers: { [code.fields[0]!.name]: wrong } });
    const res = await connecting;
    expect(res.status).toBe(500);
    expect(res.body.detail).toBe('VPN connection failed: Authentication failed (the server answered 401)');
    expect(await containersOf('mallory')).toEqual([]);
    expect((await t.api('GET', '/vpn/status?user_id=mallory')).status).toBe(404);
  });

  it('abandons a login nobody answers within VPN_PROMPT_TIMEOUT_SECONDS (wait: false), with the reason in the state', { timeout: 240_000 }, async () => {
    const res = await t.api('POST', '/vpn/connect', connectBody(otpServer, 'nora', { wait: false }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'started', user_id: 'nora', state: 'authenticating' });
    const prompt = await nextPrompt('nora');
    expect((await t.api('GET', '/vpn/prompt?user_id=nora')).body.prompt).toEqual(prompt);

    // Bad answers change nothing: a field that was not asked, another user's prompt.
    const extra = await t.api('POST', '/vpn/prompt/answer', { user_id: 'nora', prompt_id: prompt.prompt_id, answers: { [prompt.fields[0]!.name]: '1', group: 'x' } });
    expect(extra.status).toBe(400);
    expect(extra.body.detail).toMatch(/answers\.group/);
    const foreign = await t.api('POST', '/vpn/prompt/answer', { user_id: 'alice', prompt_id: prompt.prompt_id, answers: { [prompt.fields[0]!.name]: '1' } });
    expect(foreign.status).toBe(403);

    await eventually('no container for nora after the time limit', async () => {
      expect(await containersOf('nora')).toHaveLength(0);
      return true;
    }, { timeoutMs: (PROMPT_TIMEOUT_SECONDS + 20) * 1000, intervalMs: 250 });
    const state = (await t.bridge.context.state.snapshot('nora')).vpn;
    expect(state).toMatchObject({ state: 'none', container_id: null, prompt: null });
    expect(state.reason).toBe(`VPN connection failed: nobody answered the login form within ${PROMPT_TIMEOUT_SECONDS} s`);
    const late = await t.api('POST', '/vpn/prompt/answer', { user_id: 'nora', prompt_id: prompt.prompt_id, answers: { [prompt.fields[0]!.name]: freshCode(otpServer) } });
    expect(late.status).toBe(404);
  });
});

describe('a login that ends while it asks', () => {
  it('withdraws the question at once when openconnect exits meanwhile, and says why the connect failed', { timeout: 240_000 }, async () => {
    const res = await t.api('POST', '/vpn/connect', connectBody(otpServer, 'olga', { wait: false }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const prompt = await nextPrompt('olga');
    const gone = waitForEvent(socket, 'vpn:prompt', (event) => event.user_id === 'olga' && event.prompt === null, 30_000);
    const killedAt = Date.now();
    await execIn(res.body.container_id, ['pkill', '-KILL', '-x', 'openconnect']);
    await gone;
    // Well before the form's own time limit: the phone does not show a question nobody can answer.
    expect(Date.now() - killedAt).toBeLessThan((PROMPT_TIMEOUT_SECONDS * 1000) / 2);
    expect((await t.api('GET', '/vpn/prompt?user_id=olga')).body).toEqual({ prompt: null });
    const answer = await t.api('POST', '/vpn/prompt/answer', { user_id: 'olga', prompt_id: prompt.prompt_id, answers: { [prompt.fields[0]!.name]: freshCode(otpServer) } });
    expect(answer.status).toBe(404);
    await eventually('no container for olga', async () => (await containersOf('olga')).length === 0, { timeoutMs: 30_000, intervalMs: 250 });
    const state = (await t.bridge.context.state.snapshot('olga')).vpn;
    expect(state).toMatchObject({ state: 'none', container_id: null, prompt: null });
    expect(state.reason).toMatch(/^VPN connection failed: openconnect exited \(\d+\) while the login waited for your answer$/);
  });
});

describe('auto-reconnect with a second factor', () => {
  it('asks for a new code when the server dropped the session, shows needs_answer, and comes back up once answered', { timeout: 240_000 }, async () => {
    const connecting = t.api('POST', '/vpn/connect', connectBody(otpServer, 'bob', { auto_reconnect: true }));
    const first = await nextPrompt('bob');
    await t.api('POST', '/vpn/prompt/answer', { user_id: 'bob', prompt_id: first.prompt_id, answers: { [first.fields[0]!.name]: freshCode(otpServer) } });
    expect((await connecting).status).toBe(200);

    const again = nextPrompt('bob', 90_000);
    await otpServer.kill();
    await otpServer.restart();
    const prompt = await again;
    expect(prompt).toMatchObject({ reconnect: true, message: expect.stringMatching(/One-time password/) });
    const waiting = (await t.api('GET', '/vpn/status?user_id=bob')).body;
    expect(waiting.vpn).toMatchObject({ state: 'needs_answer', auto_reconnect: true });
    await t.api('POST', '/vpn/prompt/answer', { user_id: 'bob', prompt_id: prompt.prompt_id, answers: { [prompt.fields[0]!.name]: freshCode(otpServer) } });
    const up = await eventually('bob up after answering', async () => {
      const body = (await t.api('GET', '/vpn/status?user_id=bob')).body;
      expect(body.vpn?.state).toBe('up');
      return body;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(up.vpn.ip).toMatch(VPN_POOL);
    expect(await execIn(up.container_id, ['ip', 'route', 'get', VPN_SIDE_SSH_HOST])).toContain('dev vigilink0');
  });

  it('stops auto-reconnect with the reason when nobody answers, and asks no more (no retries against a lockout)', { timeout: 240_000 }, async () => {
    const again = nextPrompt('bob', 90_000);
    await otpServer.kill();
    await otpServer.restart();
    expect((await again).reconnect).toBe(true);
    const status = async () => (await t.api('GET', '/vpn/status?user_id=bob')).body;
    const stopped = await eventually('auto-reconnect of bob to stop after the unanswered prompt', async () => {
      const body = await status();
      expect(body.vpn?.auto_reconnect).toBe(false);
      return body;
    }, { timeoutMs: (PROMPT_TIMEOUT_SECONDS + 30) * 1000, intervalMs: 250 });
    expect(stopped.vpn).toMatchObject({ state: 'down', reason: `auto-reconnect stopped: nobody answered the login form within ${PROMPT_TIMEOUT_SECONDS} s` });
    await expect(nextPrompt('bob', 6_000)).rejects.toThrow(/no matching/);
    expect((await status()).vpn.state).toBe('down');
    // The abandoned login's openconnect is gone too (its stdin closed).
    expect(await execIn(stopped.container_id, ['ps', '-eo', 'args'])).not.toContain('openconnect');
  });
});

describe('secrets', () => {
  it('keeps the password, the codes and the session cookie out of docker inspect, processes, logs, state files and the audit log', { timeout: 240_000 }, async () => {
    const ids = [...(await containersOf('alice')), ...(await containersOf('bob'))].map((c) => c.id);
    expect(ids).toHaveLength(2);
    const places = new Map<string, string>([
      ['bridgeLog', fs.readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8')],
      ['conns', fs.readFileSync(path.join(t.dataDir, 'conns.json'), 'utf8')],
      ['audit', fs.readFileSync(path.join(t.dataDir, 'audit.log'), 'utf8')],
    ]);
    for (const id of ids) {
      places.set(`inspect ${id}`, JSON.stringify(await docker.getContainer(id).inspect()));
      places.set(`processes ${id}`, await execIn(id, ['sh', '-c', 'ps auxwwe; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "']));
      places.set(`log ${id}`, (await driver.logs(id, 2000)).join('\n'));
    }
    expect(places.get(`processes ${ids[0]}`)).toContain('--cookie-on-stdin');
    expect(codesUsed.length).toBeGreaterThanOrEqual(3);
    for (const [where, text] of places) {
      expect(text.includes(VPN_PASSWORD), `password in ${where}`).toBe(false);
      // A code counts only as a whole token: six digits also occur inside timestamps and container ids.
      for (const code of codesUsed) expect(new RegExp(`(?<![0-9a-f])${code}(?![0-9a-f])`).test(text), `code ${code} in ${where}`).toBe(false);
      expect(/webvpn=|openconnect_strapkey/.test(text), `session cookie in ${where}`).toBe(false);
    }
  });
});
