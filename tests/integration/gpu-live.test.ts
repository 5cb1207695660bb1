// GPU monitoring over real SSH: a real sshd whose account runs the fake nvidia-smi backed by real
// captures; session -> one channel exec -> parse -> XML fallback -> history -> `gpu` events -> alerts.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FiredAlert, GpuSnapshot } from '../../bridge/contracts/gpu.js';
import type { UserState } from '../../bridge/contracts/socket.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { connectSocket, pairDevice, request, waitForEvent, type ClientSocket } from '../support/live-client.js';
import { TESLA_T4 } from '../support/gpu-fixtures.js';
import { accountProcess, connectSession, fakeProcesses, ownerSocket, sleep, startGpuHost, untilLastSampleIsOld, untilRunning, type GpuHost } from '../support/gpu-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let host: GpuHost;
let t: TestBridge;
const sockets: ClientSocket[] = [];
const jobs: ChildProcess[] = [];

const fake = () => host.fake!;

beforeAll(async () => {
  host = await startGpuHost();
  t = await startBridge({ GPU_SAMPLE_TIMEOUT_SECONDS: '5' });
  await connectSession(t, account, host, 'alice', 'default');
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const job of jobs) job.kill();
  await t?.close();
  await host?.stop();
});

async function socketFor(userId: string): Promise<ClientSocket> {
  const socket = await ownerSocket(t, userId);
  sockets.push(socket);
  return socket;
}

describe('GET /api/gpu over the session', () => {
  it('samples the host with one channel exec on the existing connection and maps process owners with ps', async () => {
    const job = accountProcess(account.username);
    jobs.push(job);
    // The capture's python process (pid 5762) shown as our job's pid, so ps on this host can name its owner.
    fake().set({ capture: 'xml-tesla-t4-processes-telegraf.xml', pid_map: { '5762': job.pid! } });
    await untilRunning(job, 'sleep');
    const connectionsBefore = host.sshd.connectionCount();
    const res = await t.api<GpuSnapshot>('GET', '/api/gpu?user_id=alice&session_id=default');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: 'alice', session_id: 'default', host: '127.0.0.1', stale: false, source: 'query' });
    expect(res.body.error).toBeUndefined();
    expect(res.body.age_seconds).toBeLessThan(2);
    // The capture's values as read by hand, with the job's pid and its owner from ps on this host.
    expect(res.body.gpus).toEqual([{ ...TESLA_T4, processes: [{ ...TESLA_T4.processes[0], pid: job.pid, user: account.username }] }]);
    expect(host.sshd.connectionCount()).toBe(connectionsBefore);
    // One sample = the two CSV queries (the fake logs each call).
    expect(fake().calls().map((c) => c.args.split(' ')[0]!.split('=')[0])).toEqual(['--query-gpu', '--query-compute-apps']);
  });

  it('404 for a session the user does not have', async () => {
    const res = await t.api('GET', '/api/gpu?user_id=alice&session_id=nope');
    expect(res.status).toBe(404);
    expect(res.body.detail).toMatch(/No SSH session 'nope'/);
  });

  it('falls back to nvidia-smi -q -x when the driver rejects a field, and stays on XML for that host', async () => {
    await connectSession(t, account, host, 'alice', 'newdriver');
    // Schema v13 has no <power_draw>: the fake rejects power.draw as a driver lacking the field would.
    fake().set({ capture: 'xml-rtx3080-v13-595-telegraf.xml' });
    fake().clearCalls();
    const first = await t.api<GpuSnapshot>('GET', '/api/gpu?user_id=alice&session_id=newdriver');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ source: 'xml', stale: false });
    expect(first.body.gpus).toEqual([
      expect.objectContaining({ index: 0, name: 'NVIDIA GeForce RTX 3080', utilization_gpu_pct: 65, memory_used_mib: 9184, power_draw_w: 139.62, power_limit_w: 320, processes: [] }),
    ]);
    expect(fake().calls().map((c) => c.args)).toEqual([expect.stringMatching(/^--query-gpu=/), '-q -x']);
    await untilLastSampleIsOld(fake());
    fake().clearCalls();
    const second = await t.api<GpuSnapshot>('GET', '/api/gpu?user_id=alice&session_id=newdriver');
    expect(second.body.source).toBe('xml');
    expect(fake().calls().map((c) => c.args)).toEqual(['-q -x']);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = await t.api('GET', '/openapi.json');
    for (const route of ['/api/gpu', '/api/gpu/history', '/api/gpu/alerts', '/api/gpu/alerts/rules', '/api/gpu/alerts/rules/{id}']) {
      expect(Object.keys(doc.body.paths)).toContain(route);
    }
  });
});

describe('live: gpu:watch, history, state', () => {
  it('streams samples to every watching socket from ONE poller, and stops sampling when nobody watches', async () => {
    await connectSession(t, account, host, 'alice', 'live');
    fake().set({ capture: 'xml-gtx1080-2gpu-procs-a0s.xml' });
    const a = await socketFor('alice');
    const b = await socketFor('alice');
    fake().clearCalls();
    const twoWatchers = waitForEvent(a, 'state', (state: UserState) => state.gpu.sessions.some((s) => s.session_id === 'live' && s.watchers === 2 && s.polling), 8000);
    const ackA = await request(a, 'gpu:watch', { user_id: 'alice', session_id: 'live', interval_ms: 500 });
    const ackB = await request(b, 'gpu:watch', { user_id: 'alice', session_id: 'live', interval_ms: 500 });
    expect(ackA).toMatchObject({ ok: true, data: { user_id: 'alice', session_id: 'live', interval_ms: 500 } });
    expect(ackB.ok).toBe(true);
    await twoWatchers;
    const [eventA] = await waitForEvent(a, 'gpu', (s) => s.session_id === 'live' && s.gpus.length === 2, 8000);
    await waitForEvent(b, 'gpu', (s) => s.session_id === 'live', 8000);
    expect(eventA.gpus.map((g) => [g.name, g.memory_used_mib, g.processes.map((p) => p.name)])).toEqual([
      ['GeForce GTX 1080', 2900, ['/opt/nbminer/nbminer']],
      ['GeForce GTX 1080', 2893, ['/opt/nbminer/nbminer']],
    ]);
    let events = 0;
    a.on('gpu', (s: GpuSnapshot) => void (s.session_id === 'live' && events++));
    // Several samples at 500 ms, all from ONE nvidia-smi in loop mode for the GPUs (after at most a couple of
    // one-shot samples while it starts): two pollers would run two loops.
    await eventually('four more samples', () => events >= 4, 15_000);
    const loops = fake().calls().filter((c) => c.args.startsWith('--query-gpu') && c.args.endsWith('-lms 500'));
    expect(loops).toHaveLength(1);
    expect(loops[0]!.end).toBeNull();
    expect(fake().calls().filter((c) => c.args.startsWith('--query-gpu')).length).toBeLessThanOrEqual(3);

    // A session nobody needs leaves the user's gpu state.
    const noWatchers = waitForEvent(a, 'state', (state: UserState) => !state.gpu.sessions.some((s) => s.session_id === 'live'), 8000);
    expect(await request(a, 'gpu:unwatch', { user_id: 'alice', session_id: 'live' })).toEqual({ ok: true, data: { user_id: 'alice', unwatched: ['live'] } });
    // b leaves by disconnecting: its watch goes with it.
    b.close();
    await noWatchers;
    await eventually('the loop nvidia-smi to end', () => fakeProcesses(fake()).length === 0, 15_000);
    fake().clearCalls();
    // A fixed window: three sampling intervals in which no sample may come.
    await sleep(1500);
    expect(fake().calls()).toEqual([]);
  });

  it('keeps a history per GPU: utilization, memory, temperature, power over time', async () => {
    await connectSession(t, account, host, 'alice', 'hist');
    const socket = await socketFor('alice');
    // Two captures of the same RTX 3080 (same UUID), three years apart: the series change between them.
    fake().set({ capture: 'xml-rtx3080-v12-5procs-long-cmdline-telegraf.xml' });
    await request(socket, 'gpu:watch', { user_id: 'alice', session_id: 'hist', interval_ms: 500 });
    await eventually('a point of the v12 capture in the history', async () => {
      const res = await t.api('GET', '/api/gpu/history?user_id=alice&session_id=hist&minutes=5');
      return res.body.gpus?.[0]?.memory_used_mib.includes(1128);
    }, 15_000);
    fake().set({ capture: 'xml-rtx3080-v13-595-telegraf.xml' });
    await waitForEvent(socket, 'gpu', (s) => s.session_id === 'hist' && s.gpus[0]?.memory_used_mib === 9184, 8000);
    const history = await eventually('two points of the v13 capture in the history', async () => {
      const res = await t.api('GET', '/api/gpu/history?user_id=alice&session_id=hist&minutes=5');
      const series = res.body.gpus?.[0];
      return series && series.memory_used_mib.filter((m: number) => m === 9184).length >= 2 ? res.body : undefined;
    }, 15_000);
    await request(socket, 'gpu:unwatch', { user_id: 'alice', session_id: 'hist' });
    expect(history).toMatchObject({ user_id: 'alice', session_id: 'hist', host: '127.0.0.1', minutes: 5, step_ms: 2000 });
    expect(history.gpus).toHaveLength(1);
    const [series] = history.gpus;
    expect(series).toMatchObject({ index: 0, uuid: 'GPU-19d6d965-2acc-f646-00f8-4c76979aabb4', name: 'NVIDIA GeForce RTX 3080' });
    const points = series.t.map((t: number, i: number) => [series.utilization_gpu_pct[i], series.memory_used_mib[i], series.temperature_c[i], series.power_draw_w[i]]);
    expect(points[0]).toEqual([0, 1128, 31, 22.78]);
    expect(points.at(-1)).toEqual([65, 9184, 27, 139.62]);
    // At most one point per 2 s step, oldest first.
    for (let i = 1; i < series.t.length; i++) expect(series.t[i] - series.t[i - 1]).toBeGreaterThanOrEqual(1800);
    expect(new Set(points.map((p: number[]) => p.join()))).toEqual(new Set(['0,1128,31,22.78', '65,9184,27,139.62']));
  });

  it('a device may not watch or read another user\'s GPUs', async () => {
    const device = await pairDevice(t, 'bob');
    const res = await t.api('GET', '/api/gpu?user_id=alice&session_id=default', undefined, { token: device.token });
    expect(res.status).toBe(403);
    const socket = await connectSocket(t.baseUrl, { token: device.token });
    sockets.push(socket);
    const ack = await request(socket, 'gpu:watch', { user_id: 'alice', session_id: 'default' });
    expect(ack).toMatchObject({ ok: false, error: { kind: 'forbidden', status: 403 } });
    expect(await request(socket, 'gpu:watch', { session_id: 'default', interval_ms: 100 })).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });
});

describe('alerts', () => {
  it('fires "memory freed" and "utilization under X% for Y minutes" as `alert` events, lists them, and deletes rules', async () => {
    await connectSession(t, account, host, 'alice', 'job');
    const socket = await socketFor('alice');
    // A busy RTX 3080 (v13: 65 %, 9184 MiB) whose job then ends (v12: 0 %, 1128 MiB).
    fake().set({ capture: 'xml-rtx3080-v13-595-telegraf.xml' });
    const memoryRule = await t.api('POST', '/api/gpu/alerts/rules', { user_id: 'alice', session_id: 'job', kind: 'memory_freed', gpu_index: 0, below_mib: 2000 });
    expect(memoryRule.status).toBe(200);
    expect(memoryRule.body).toMatchObject({ user_id: 'alice', session_id: 'job', kind: 'memory_freed', gpu_index: 0, below_mib: 2000, last_fired_at: null });
    const idleRule = await t.api('POST', '/api/gpu/alerts/rules', { user_id: 'alice', session_id: 'job', kind: 'utilization_below', gpu_index: 0, threshold_pct: 10, minutes: 0.05 });
    expect(idleRule.status).toBe(200);
    // The rules alone make the session sampled (no socket watches it).
    await eventually('the rules to start sampling the session', async () => {
      const state = await request<UserState>(socket, 'user:watch', { user_id: 'alice' });
      return state.ok && state.data.gpu.sessions.find((s) => s.session_id === 'job' && s.rules === 2 && s.polling && s.watchers === 0 && s.sampled_at);
    }, 15_000);
    // Watch too, so samples come every 500 ms instead of every 10 s.
    await request(socket, 'gpu:watch', { user_id: 'alice', session_id: 'job', interval_ms: 500 });
    await waitForEvent(socket, 'gpu', (s) => s.session_id === 'job' && s.gpus[0]?.memory_used_mib === 9184, 8000);
    const alerts: FiredAlert[] = [];
    socket.on('alert', (alert) => alert.type === 'gpu' && alerts.push(alert));
    fake().set({ capture: 'xml-rtx3080-v12-5procs-long-cmdline-telegraf.xml' });
    await eventually('both alerts', () => alerts.length >= 2 && alerts, 15_000);
    await request(socket, 'gpu:unwatch', { user_id: 'alice', session_id: 'job' });
    expect(alerts.map((a) => a.kind).sort()).toEqual(['memory_freed', 'utilization_below']);
    const freed = alerts.find((a) => a.kind === 'memory_freed')!;
    expect(freed).toMatchObject({
      type: 'gpu',
      rule_id: memoryRule.body.id,
      user_id: 'alice',
      session_id: 'job',
      host: '127.0.0.1',
      gpu_index: 0,
      gpu_uuid: 'GPU-19d6d965-2acc-f646-00f8-4c76979aabb4',
      value: 1128,
      message: 'GPU 0 (NVIDIA GeForce RTX 3080) on 127.0.0.1: memory freed (9184 MiB -> 1128 MiB used, under 2000 MiB)',
    });
    expect(alerts.find((a) => a.kind === 'utilization_below')).toMatchObject({ rule_id: idleRule.body.id, value: 0 });

    const listed = await t.api('GET', '/api/gpu/alerts?user_id=alice&session_id=job');
    expect(listed.status).toBe(200);
    expect(listed.body.alerts.map((a: FiredAlert) => a.id).sort()).toEqual(alerts.map((a) => a.id).sort());
    const rules = await t.api('GET', '/api/gpu/alerts/rules?user_id=alice&session_id=job');
    expect(rules.body.rules.every((r: { last_fired_at: string | null }) => r.last_fired_at !== null)).toBe(true);

    for (const id of [memoryRule.body.id, idleRule.body.id]) {
      expect((await t.api('DELETE', `/api/gpu/alerts/rules/${id}?user_id=alice`)).body).toEqual({ deleted: true, id });
    }
    expect((await t.api('DELETE', `/api/gpu/alerts/rules/${idleRule.body.id}?user_id=alice`)).status).toBe(404);
    expect((await t.api('GET', '/api/gpu/alerts/rules?user_id=alice')).body).toEqual({ user_id: 'alice', rules: [] });
    // Nobody needs the session any more: it is no longer sampled.
    await eventually('sampling of the session to stop', async () => {
      const state = await request<UserState>(socket, 'user:watch', { user_id: 'alice' });
      return state.ok && !state.data.gpu.sessions.some((s) => s.session_id === 'job');
    }, 15_000);
  });

  it('rejects a rule without its fields, naming them', async () => {
    const res = await t.api('POST', '/api/gpu/alerts/rules', { user_id: 'alice', session_id: 'job', kind: 'utilization_below', gpu_index: 0 });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/threshold_pct/);
  });
});
