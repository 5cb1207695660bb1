// Slurm end to end against a real cluster (slurmctld + slurmd + munge + a login sshd in a container on an
// --internal network, 8 gres GPUs, the fake nvidia-smi on the node): real sbatch jobs (GPU job, a failing
// one, one over its time limit, an array, one pending on resources), the list, details with GPU indices,
// output tail and follow, the GPUs of a job, cancel (own, another user's, unknown, not an id), an alert per
// transition once and none repeated after a restart, the stale path, a host without Slurm.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { JobAlert, SlurmJob, SlurmJobsResponse } from '../../bridge/contracts/slurm.js';
import type { AnyAlert } from '../../bridge/contracts/socket.js';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { createInternalNetwork, requireDocker, type InternalNetwork } from '../support/docker.js';
import { pairDevice, request, waitForEvent, type ClientSocket } from '../support/live-client.js';
import { startSlurmCluster, type SlurmCluster, type SlurmUser } from '../support/slurm-cluster.js';
import { connectSession as connectGpuHost, ownerSocket, sleep, startGpuHost, type GpuHost } from '../support/gpu-test-kit.js';
import { eventually } from '../support/eventually.js';

const account = inject('testAccount');
let network: InternalNetwork;
let cluster: SlurmCluster;
let bare: GpuHost;
let t: TestBridge;
let socket: ClientSocket;
const alerts: JobAlert[] = [];
const ids = { gpu: '', fails: '', limit: '', array: '', pending: '', printer: '' };

const ENV = { SLURM_POLL_INTERVAL_SECONDS: '1', SLURM_COMMAND_TIMEOUT_SECONDS: '3', SLURM_FOLLOW_INTERVAL_MS: '300' };

async function connect(bridge: TestBridge, userId: string, user: SlurmUser): Promise<void> {
  const res = await bridge.api('POST', '/ssh/connect?session_id=hpc', { user_id: userId, hostname: cluster.ip, port: 22, username: user.username, password: user.password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function watchAlerts(bridge: TestBridge): Promise<ClientSocket> {
  const s = await ownerSocket(bridge, 'alice');
  s.on('alert', (alert: AnyAlert) => alert.type === 'slurm' && alerts.push(alert));
  const ack = await request<{ jobs: SlurmJobsResponse }>(s, 'jobs:watch', { user_id: 'alice', session_id: 'hpc' });
  expect(ack.ok, JSON.stringify(ack)).toBe(true);
  return s;
}

const list = async (): Promise<SlurmJob[]> => {
  const res = await t.api<SlurmJobsResponse>('GET', '/api/slurm/jobs?user_id=alice&session_id=hpc');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.jobs;
};
const jobIn = (jobs: SlurmJob[], id: string): SlurmJob | undefined => jobs.find((job) => job.job_id === id);
const alertsOf = (jobId: string): string[] => alerts.filter((a) => a.job_id === jobId).map((a) => a.kind);

beforeAll(async () => {
  await requireDocker();
  network = await createInternalNetwork();
  [cluster, bare] = await Promise.all([startSlurmCluster(network.name), startGpuHost(false)]);
  t = await startBridge(ENV);
  await connect(t, 'alice', cluster.users.main);
  await connect(t, 'bob', cluster.users.other);
  await connectGpuHost(t, account, bare, 'alice', 'bare');
  // Watching before any job exists makes the empty list the baseline: every job after it is news.
  socket = await watchAlerts(t);
  const { main } = cluster.users;
  ids.gpu = await cluster.sbatch(main, ['-J', 'gpu job', '--gres=gpu:2'], 'echo start; echo CVD=$CUDA_VISIBLE_DEVICES; sleep 300');
  ids.fails = await cluster.sbatch(main, ['-J', 'fails', '-o', '%x-%j.log'], 'echo bad; exit 3');
  ids.limit = await cluster.sbatch(main, ['-J', 'limit', '-t', '1'], 'sleep 300');
  ids.array = await cluster.sbatch(main, ['-J', 'arr', '-a', '0-1'], 'sleep 3');
  ids.printer = await cluster.sbatch(main, ['-J', 'printer', '-t', '5'], 'for i in $(seq 1 400); do echo line $i; sleep 0.2; done');
  // Last: it waits for every GPU, and must not hold up the jobs above.
  ids.pending = await cluster.sbatch(main, ['-J', 'needs all', '--gres=gpu:8', '-t', '1'], 'sleep 2');
}, 300_000);

afterAll(async () => {
  socket?.close();
  await t?.close();
  await bare?.stop();
  await cluster?.stop();
  await network?.remove();
});

describe('the job list and one job', () => {
  it('lists running, pending, failed and array jobs with GPU indices, reasons and output paths', async () => {
    const jobs = await eventually(
      'the GPU job running, the 8-GPU job pending on resources, the failed job, the array tasks',
      async () => {
        const now = await list();
        const ready = jobIn(now, ids.gpu)?.state === 'RUNNING' && jobIn(now, ids.fails)?.state === 'FAILED' && jobIn(now, `${ids.array}_0`) && jobIn(now, ids.pending)?.state === 'PENDING';
        return ready && now;
      },
      60_000,
    );
    const gpu = jobIn(jobs, ids.gpu)!;
    expect(gpu).toMatchObject({ name: 'gpu job', user: 'vltest', nodes: 'node1', partition: 'debug', stdout_path: `/home/vltest/slurm-${ids.gpu}.out` });
    expect(gpu.gpus.count).toBe(2);
    expect(gpu.gpus.nodes[0]!.indices).toHaveLength(2);
    // Slurm says Resources once the scheduler has looked at the job, Priority while jobs ahead of it wait.
    expect(jobIn(jobs, ids.pending)).toMatchObject({ reason: expect.stringMatching(/^(Resources|Priority)$/), gpus: { count: 8, nodes: [] }, nodes: null });
    expect(jobIn(jobs, ids.fails)).toMatchObject({ exit_code: '3:0', stdout_path: `/home/vltest/fails-${ids.fails}.log` });
    expect(jobIn(jobs, `${ids.array}_0`)).toMatchObject({ array_job_id: Number(ids.array), array_task_id: '0' });
    expect(jobs.every((job) => job.user === 'vltest')).toBe(true);
  });

  it('details come from scontrol -d with the GPU indices, matching CUDA_VISIBLE_DEVICES in the job', async () => {
    const res = await t.api('GET', `/api/slurm/jobs/${ids.gpu}?user_id=alice&session_id=hpc`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const indices: number[] = res.body.job.gpus.nodes[0].indices;
    expect(res.body.job).toMatchObject({ job_id: ids.gpu, state: 'RUNNING', gpus: { count: 2, nodes: [{ node: 'node1' }] } });
    const output = await eventually('the job to print its devices', async () => {
      const out = await t.api('GET', `/api/slurm/jobs/${ids.gpu}/output?user_id=alice&session_id=hpc`);
      return out.status === 200 && out.body.data.includes('CVD=') && out.body;
    }, 15_000);
    // Without cgroups CUDA_VISIBLE_DEVICES is the node's own indices of the allocated GPUs.
    expect(output.data).toContain(`CVD=${indices.join(',')}`);
  });

  it('a job id that is not one is 400; an unknown one 404', async () => {
    for (const bad of ['abc', '1;id', '12_x', '%24(id)']) {
      const res = await t.api('GET', `/api/slurm/jobs/${bad}?user_id=alice&session_id=hpc`);
      expect(res.status, bad).toBe(400);
      expect(res.body.detail).toMatch(/Slurm job id/);
    }
    const unknown = await t.api('GET', '/api/slurm/jobs/999999?user_id=alice&session_id=hpc');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/No Slurm job 999999/);
  });

  it("the job's GPUs: sampled inside the job with srun --overlap, only its own indices", async () => {
    const details = await t.api('GET', `/api/slurm/jobs/${ids.gpu}?user_id=alice&session_id=hpc`);
    const res = await t.api('GET', `/api/slurm/jobs/${ids.gpu}/gpus?user_id=alice&session_id=hpc`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.error).toBeUndefined();
    expect(res.body.gpus.map((g: { index: number }) => g.index)).toEqual(details.body.job.gpus.nodes[0].indices);
    expect(res.body.gpus[0].name).toMatch(/V100S/);
    const none = await t.api('GET', `/api/slurm/jobs/${ids.fails}/gpus?user_id=alice&session_id=hpc`);
    expect(none.status).toBe(409);
  }, 60_000);
});

describe('output', () => {
  it('job:follow streams new lines as they are written', async () => {
    const chunks: string[] = [];
    const onData = (event: { job_id: string; data: string }): void => void (event.job_id === ids.printer && chunks.push(event.data));
    socket.on('job:output', onData);
    const ack = await request(socket, 'job:follow', { user_id: 'alice', session_id: 'hpc', job_id: ids.printer, tail_bytes: 64 });
    expect(ack.ok, JSON.stringify(ack)).toBe(true);
    const first = await eventually('a line', () => /line (\d+)/.exec(chunks.join(''))?.[1], 15_000);
    await eventually('later lines to follow', () => Number([...chunks.join('').matchAll(/line (\d+)/g)].pop()?.[1]) > Number(first) + 3, 20_000);
    const unfollow = await request(socket, 'job:unfollow', { user_id: 'alice', job_id: ids.printer });
    expect(unfollow).toMatchObject({ ok: true, data: { unfollowed: [expect.any(String)] } });
    socket.off('job:output', onData);
  }, 60_000);

  it('a follow ends with the job, after its last bytes', async () => {
    const id = await cluster.sbatch(cluster.users.main, ['-J', 'short', '-t', '1'], 'sleep 2; echo the end');
    const ended = waitForEvent(socket, 'job:output:end', (e) => e.job_id === id, 45_000);
    const chunks: string[] = [];
    socket.on('job:output', (e) => e.job_id === id && chunks.push(e.data));
    await eventually('the job to be known', async () => (await t.api('GET', `/api/slurm/jobs/${id}?user_id=alice&session_id=hpc`)).status === 200, 15_000);
    expect((await request(socket, 'job:follow', { user_id: 'alice', session_id: 'hpc', job_id: id })).ok).toBe(true);
    const [end] = await ended;
    expect(end.reason).toMatch(/COMPLETED/);
    expect(chunks.join('')).toContain('the end');
  }, 60_000);
});

describe('cancel', () => {
  it("another user's job is 403 with Slurm's message, and the job keeps running", async () => {
    const res = await t.api('POST', `/api/slurm/jobs/${ids.printer}/cancel?user_id=bob&session_id=hpc`);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/Access\/permission denied/);
    expect(jobIn(await list(), ids.printer)?.state).toBe('RUNNING');
  });

  it('an unknown id is 404 (scancel itself says nothing), a non-id 400', async () => {
    expect((await t.api('POST', '/api/slurm/jobs/999999/cancel?user_id=alice&session_id=hpc')).status).toBe(404);
    expect((await t.api('POST', '/api/slurm/jobs/x1/cancel?user_id=alice&session_id=hpc')).status).toBe(400);
  });

  it('own job: cancelled, the pending job starts on the freed GPUs', async () => {
    const res = await t.api('POST', `/api/slurm/jobs/${ids.gpu}/cancel?user_id=alice&session_id=hpc`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ job_id: ids.gpu, cancelled: true });
    await eventually('the job cancelled', async () => jobIn(await list(), ids.gpu)?.state === 'CANCELLED', 30_000);
    await t.api('POST', `/api/slurm/jobs/${ids.printer}/cancel?user_id=alice&session_id=hpc`);
  }, 60_000);

  it('a device of another user cannot read or cancel these jobs', async () => {
    const device = await pairDevice(t, 'bob');
    expect((await t.api('GET', '/api/slurm/jobs?user_id=alice', undefined, { token: device.token })).status).toBe(403);
    expect((await t.api('POST', `/api/slurm/jobs/${ids.limit}/cancel?user_id=alice`, undefined, { token: device.token })).status).toBe(403);
  });
});

describe('alerts', () => {
  it('one alert per transition: started, failed, completed, timeout, cancelled', async () => {
    await eventually('the time-limit job to time out and the pending one to finish', () =>
      alertsOf(ids.limit).includes('timeout') && alertsOf(ids.pending).includes('completed'), 150_000);
    await sleep(3000);
    expect(alertsOf(ids.gpu)).toEqual(['started', 'cancelled']);
    // It fails within a second of starting: a 1 s poll may or may not catch it running, but never alerts twice.
    expect([['failed'], ['started', 'failed']]).toContainEqual(alertsOf(ids.fails));
    expect(alertsOf(ids.limit)).toEqual(['started', 'timeout']);
    expect(alertsOf(`${ids.array}_1`)).toContain('completed');
    expect(alertsOf(ids.pending)).toEqual(['started', 'completed']);
    const first = alerts.find((a) => a.job_id === ids.fails)!;
    expect(first).toMatchObject({ type: 'slurm', user_id: 'alice', session_id: 'hpc', host: cluster.ip, job_name: 'fails', state: 'FAILED' });
  }, 200_000);

  it('a restart repeats none of them', async () => {
    const before = alerts.length;
    socket.close();
    const dataDir = t.dataDir;
    await t.close();
    t = await startBridge(ENV, dataDir);
    await connect(t, 'alice', cluster.users.main);
    await connectGpuHost(t, account, bare, 'alice', 'bare');
    socket = await watchAlerts(t);
    await sleep(4000);
    expect(alerts.slice(before)).toEqual([]);
    const id = await cluster.sbatch(cluster.users.main, ['-J', 'after restart', '-t', '1'], 'sleep 1');
    await eventually('the new job to be alerted', () => alertsOf(id).includes('completed'), 30_000);
  }, 90_000);
});

describe('failures', () => {
  it('a hanging squeue: the last good list, marked stale, within the timeout', async () => {
    const good = await list();
    await cluster.root(['sh', '-c', 'printf "#!/bin/sh\\nsleep 60\\n" >/usr/local/bin/squeue; chmod 755 /usr/local/bin/squeue']);
    try {
      await sleep(1100);
      const started = Date.now();
      const res = await t.api<SlurmJobsResponse>('GET', '/api/slurm/jobs?user_id=alice&session_id=hpc');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(res.status).toBe(200);
      expect(res.body.stale).toBe(true);
      expect(res.body.error).toMatch(/did not answer within 3 s/);
      expect(res.body.jobs.map((j) => j.job_id).sort()).toEqual(good.map((j) => j.job_id).sort());
    } finally {
      await cluster.root(['rm', '-f', '/usr/local/bin/squeue']);
    }
    await eventually('fresh again', async () => (await t.api<SlurmJobsResponse>('GET', '/api/slurm/jobs?user_id=alice&session_id=hpc')).body.stale === false, 20_000);
  }, 60_000);

  it('a host without Slurm is 404 saying so', async () => {
    const res = await t.api('GET', '/api/slurm/jobs?user_id=alice&session_id=bare');
    expect(res.status).toBe(404);
    expect(res.body.detail).toMatch(/^Slurm was not found on 127\.0\.0\.1/);
    const job = await t.api('GET', '/api/slurm/jobs/12?user_id=alice&session_id=bare');
    expect(job.status).toBe(404);
    expect(job.body.detail).toMatch(/Slurm was not found/);
  });
});
