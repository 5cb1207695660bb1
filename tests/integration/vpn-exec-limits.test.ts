// Container execs under load, against real Docker and the bridge as its own process: 250 parallel listings
// of a huge directory keep the bridge's memory bounded (its peak RSS, VmHWM, is read from /proc), each
// listing is cut at FS_LIST_MAX_ENTRIES with truncated: true, and the requests past the user's exec slots
// get 503 with Retry-After after a bounded wait, while another user's container still answers.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir } from '../support/bridge.js';
import { BACKEND_IMAGE, createInternalNetwork, ensureBackendImage, execIn, removeBridgeContainers, requireDocker, type InternalNetwork } from '../support/docker.js';
import { startBridgeChild, type BridgeChild } from '../support/server-child.js';

const PARALLEL = 250;
const FILES = 60_000;
const MAX_ENTRIES = 5_000;
/** Far below what the listings would take if each were buffered whole (~14 MB of find output each). */
const RSS_GROWTH_LIMIT_MB = 300;

let network: InternalNetwork;
let bridge: BridgeChild;
let huge: string;

const api = async (method: string, route: string, body?: unknown): Promise<Response> =>
  fetch(bridge.baseUrl + route, {
    method,
    headers: { authorization: `Bearer ${bridge.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

/** kB figures of the bridge process from /proc: resident now, and its peak since it started. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

beforeAll(async () => {
  await requireDocker();
  await ensureBackendImage();
  network = await createInternalNetwork();
  bridge = await startBridgeChild({
    dataDir: makeDataDir(),
    env: {
      DOCKER_IMAGE: BACKEND_IMAGE,
      VIGILINK_DOCKER_NETWORK: network.name,
      VPN_CONTAINER_NETWORK_INTERNAL: '1',
      VPN_COOLDOWN_SECONDS: '0',
      FS_LIST_MAX_ENTRIES: String(MAX_ENTRIES),
      CONTAINER_EXECS_PER_USER: '8',
      CONTAINER_EXEC_WAIT_SECONDS: '5',
    },
  });
  const made = await api('POST', '/vpn/connect', { user_id: 'hoarder' });
  expect(made.status).toBe(200);
  huge = ((await made.json()) as { container_id: string }).container_id;
  expect((await api('POST', '/vpn/connect', { user_id: 'neighbour' })).status).toBe(200);
  // 60,000 files with 200-character names: about 14 MB of find output per listing.
  const prefix = 'x'.repeat(194);
  await execIn(huge, ['sh', '-c', `mkdir -p /tmp/huge && cd /tmp/huge && seq -w 1 ${FILES} | sed 's/^/${prefix}/' | xargs touch && ls -f | wc -l`]);
}, 600_000);

afterAll(async () => {
  await bridge?.stop();
  if (bridge) await removeBridgeContainers(bridge.dataDir);
  await network?.remove();
});

describe('250 parallel listings of a huge directory in one container', () => {
  it('keep the bridge within bounds: cut listings or 503 + Retry-After, never the memory of all of them', async () => {
    const warm = await api('GET', '/api/fs/list?user_id=hoarder&path=/tmp/huge');
    expect(warm.status).toBe(200);
    const before = memoryOf(bridge.child.pid!);

    const results = await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const res = await api('GET', '/api/fs/list?user_id=hoarder&path=/tmp/huge');
        const body = (await res.json()) as { entries?: unknown[]; truncated?: boolean; detail?: string };
        return { status: res.status, retryAfter: res.headers.get('retry-after'), entries: body.entries?.length ?? 0, truncated: body.truncated, detail: body.detail };
      }),
    );
    const after = memoryOf(bridge.child.pid!);

    const listed = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.status === 503);
    expect(listed.length + busy.length, JSON.stringify(results.find((r) => r.status !== 200 && r.status !== 503))).toBe(PARALLEL);
    expect(listed.length).toBeGreaterThanOrEqual(8);
    for (const r of listed) expect(r).toMatchObject({ entries: MAX_ENTRIES, truncated: true });
    for (const r of busy) expect(r).toMatchObject({ retryAfter: '2', detail: expect.stringMatching(/busy/) });
    const growthMb = after.peakMb - before.rssMb;
    console.log(`bridge RSS ${before.rssMb.toFixed(0)} MB before, peak ${after.peakMb.toFixed(0)} MB; ${listed.length} listed, ${busy.length} busy`);
    expect(growthMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
  });

  it("leave another user's container answering", async () => {
    const flood = Array.from({ length: 40 }, () => api('GET', '/api/fs/list?user_id=hoarder&path=/tmp/huge').then((r) => r.arrayBuffer()));
    const res = await api('GET', '/api/fs/list?user_id=neighbour&path=/tmp');
    expect(res.status).toBe(200);
    await Promise.all(flood);
  });
});
