// Hosts every cluster has, over real SSH: no nvidia-smi, no devices, a dead driver (empty gpus and plain
// words, never 5xx), a wedged driver (timeout, last good data served stale, other sessions unaffected,
// nothing left running), and a slow host (samples never overlap).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GpuSnapshot } from '../../bridge/contracts/gpu.js';
import type { UserState } from '../../bridge/contracts/socket.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { request, waitForEvent, type ClientSocket } from '../support/live-client.js';
import { connectSession, fakeProcesses, localNvidiaSmi, ownerSocket, sleep, startGpuHost, untilLastSampleIsOld, type GpuHost } from '../support/gpu-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
const TIMEOUT_SECONDS = 2;
let wedged: GpuHost;
let healthy: GpuHost;
let bare: GpuHost;
let t: TestBridge;
let socket: ClientSocket;

beforeAll(async () => {
  [wedged, healthy, bare] = await Promise.all([startGpuHost(), startGpuHost(), startGpuHost(false)]);
  t = await startBridge({ GPU_SAMPLE_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
  await connectSession(t, account, wedged, 'carol', 'wedged');
  await connectSession(t, account, healthy, 'carol', 'healthy');
  await connectSession(t, account, bare, 'carol', 'bare');
  socket = await ownerSocket(t, 'carol');
});
afterAll(async () => {
  socket?.close();
  await t?.close();
  await Promise.all([wedged, healthy, bare].map((host) => host?.stop()));
});

const get = (sessionId: string) => t.api<GpuSnapshot>('GET', `/api/gpu?user_id=carol&session_id=${sessionId}`);

describe('hosts without usable GPUs answer 200 with gpus: [] and the reason', () => {
  it('no nvidia-smi at all (the shell exits 127)', async () => {
    expect(localNvidiaSmi(), 'this test plays a host without nvidia-smi, so the test machine must not have one in the standard folders').toBe('');
    const res = await get('bare');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ session_id: 'bare', gpus: [], stale: false, source: null });
    expect(res.body.error).toMatch(/^nvidia-smi is not installed on this host/);
  });

  it('"No devices were found"', async () => {
    wedged.fake!.set({ mode: 'no-devices' });
    const res = await get('wedged');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ gpus: [], stale: false, error: 'nvidia-smi found no NVIDIA GPUs on this host' });
  });

  it('the driver is not running', async () => {
    await untilLastSampleIsOld(wedged.fake!);
    wedged.fake!.set({ mode: 'driver-failed' });
    const res = await get('wedged');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ gpus: [], stale: false, error: 'The NVIDIA driver is not running on this host: nvidia-smi could not communicate with it' });
  });
});

describe('a wedged driver', () => {
  it('times out, serves the last good data as stale with its age, and never blocks another session', async () => {
    wedged.fake!.set({ capture: 'xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml' });
    healthy.fake!.set({ capture: 'xml-tesla-t4-processes-telegraf.xml' });
    await untilLastSampleIsOld(wedged.fake!);
    const good = await get('wedged');
    expect(good.body).toMatchObject({ stale: false });
    expect(good.body.gpus).toHaveLength(8);

    wedged.fake!.set({ mode: 'hang' });
    await untilLastSampleIsOld(wedged.fake!);
    const started = Date.now();
    const hung = get('wedged');
    // Meanwhile the other session of the same user answers at once.
    await eventually('nvidia-smi to hang on the wedged host', () => wedged.fake!.calls().some((call) => call.end === null));
    const healthyStarted = Date.now();
    const other = await get('healthy');
    expect(Date.now() - healthyStarted).toBeLessThan(TIMEOUT_SECONDS * 1000);
    expect(other.body).toMatchObject({ stale: false, gpus: [expect.objectContaining({ name: 'Tesla T4' })] });

    const stale = await hung;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000 - 100);
    expect(took).toBeLessThan(TIMEOUT_SECONDS * 1000 + 4000);
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ stale: true, source: 'query', error: `nvidia-smi did not answer within ${TIMEOUT_SECONDS} s (the driver may be wedged)` });
    expect(stale.body.gpus).toEqual(good.body.gpus);
    expect(stale.body.sampled_at).toBe(good.body.sampled_at);
    expect(stale.body.age_seconds).toBeGreaterThanOrEqual(TIMEOUT_SECONDS);
    // The hung nvidia-smi was killed with its channel, not left on the host.
    await eventually('the hung fake nvidia-smi to be gone', () => fakeProcesses(wedged.fake!).length === 0, 8000);
  });

  it('a watcher keeps getting the stale data with its age while the host is wedged, and fresh data once it recovers', async () => {
    const ack = await request(socket, 'gpu:watch', { user_id: 'carol', session_id: 'wedged', interval_ms: 500 });
    expect(ack.ok).toBe(true);
    const [first] = await waitForEvent(socket, 'gpu', (s) => s.session_id === 'wedged' && s.stale, 10_000);
    const [later] = await waitForEvent(socket, 'gpu', (s) => s.session_id === 'wedged' && s.stale && s.age_seconds! > first.age_seconds!, 10_000);
    expect(later.gpus).toHaveLength(8);
    const status = await request<UserState>(socket, 'user:watch', { user_id: 'carol' });
    expect(status.ok && status.data.gpu.sessions.find((s) => s.session_id === 'wedged')).toMatchObject({ watchers: 1, polling: true, stale: true });
    wedged.fake!.set({ capture: 'xml-tesla-t4-processes-telegraf.xml' });
    const [fresh] = await waitForEvent(socket, 'gpu', (s) => s.session_id === 'wedged' && !s.stale, 15_000);
    expect(fresh.gpus.map((g) => g.name)).toEqual(['Tesla T4']);
    expect(fresh.error).toBeUndefined();
    await request(socket, 'gpu:unwatch', { user_id: 'carol' });
  });
});

describe('a slow host', () => {
  it('never gets overlapping samples, whatever the interval asks', async () => {
    healthy.fake!.set({ capture: 'xml-tesla-t4-processes-telegraf.xml', delay_ms: 700 });
    const watchedAt = Date.now();
    const firstSample = waitForEvent(socket, 'gpu', (s) => s.session_id === 'healthy', 10_000);
    await request(socket, 'gpu:watch', { user_id: 'carol', session_id: 'healthy', interval_ms: 500 });
    await firstSample;
    // A fixed window: the test counts what happens in it.
    await sleep(5000);
    await request(socket, 'gpu:unwatch', { user_id: 'carol', session_id: 'healthy' });
    await eventually('no nvidia-smi left on the slow host', () => fakeProcesses(healthy.fake!).length === 0);
    const calls = healthy.fake!.calls().filter((c) => c.start >= watchedAt && c.end !== null);
    // Each sample is two sequential nvidia-smi calls of 700 ms or more: about 4 samples (8 calls) in 5 s, plus one finishing.
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.start).toBeGreaterThanOrEqual(calls[i - 1]!.end!);
  });
});
