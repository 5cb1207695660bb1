// Slurm jobs of the hosts a user reaches by SSH: one poller per session however many sockets watch it, one
// job's details, cancel, output (tail and follow), the GPUs of a job, and job alerts. Routes and the socket
// adapter call only this.
import crypto from 'node:crypto';
import type { JobAlert, JobFollowAck, JobOutputEndEvent, JobOutputEvent, JobsWatchAck, SlurmJob, SlurmJobGpusResponse, SlurmJobResponse, SlurmJobsResponse, SlurmOutputResponse, SlurmStream } from '../contracts/slurm.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { SftpFiles } from '../files/sftp-files.js';
import type { SshSession } from '../ssh/ssh-session.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import type { JobAlerts } from './slurm-alerts.js';
import { SlurmCommands } from './slurm-commands.js';
import { OutputFollower, readTail } from './slurm-output.js';
import { SlurmPoller, type JobsListener } from './slurm-poller.js';
import { isEnded } from './slurm-values.js';

/** Follows one socket may hold at once. */
const MAX_FOLLOWS_PER_SOCKET = 4;

export interface SlurmServiceOptions {
  sessions: SshSessionService;
  alerts: JobAlerts;
  logger: Logger;
  pollIntervalMs: number;
  commandTimeoutMs: number;
  followIntervalMs: number;
  onAlert(alert: JobAlert): void;
}

interface Follow {
  userId: string;
  watcherId: string;
  jobId: string;
  follower: OutputFollower;
  poller: SlurmPoller;
}

export class SlurmService {
  private readonly pollers = new Map<string, Map<string, SlurmPoller>>();
  private readonly follows = new Map<string, Follow>();
  private readonly commands: SlurmCommands;

  constructor(private readonly options: SlurmServiceOptions) {
    this.commands = new SlurmCommands(options.commandTimeoutMs);
  }

  start(): Promise<void> {
    return this.options.alerts.load();
  }

  async close(): Promise<void> {
    for (const follow of this.follows.values()) follow.follower.stop();
    this.follows.clear();
    for (const user of this.pollers.values()) for (const poller of user.values()) poller.close();
    this.pollers.clear();
    await this.options.alerts.flush();
  }

  async list(userId: string, sessionId?: string): Promise<SlurmJobsResponse> {
    const poller = this.pollerFor(this.session(userId, sessionId));
    const response = await poller.current();
    if (poller.missingSlurm) throw new AppError('not_found', poller.missingSlurm);
    return response;
  }

  async job(userId: string, sessionId: string | undefined, jobId: string): Promise<SlurmJobResponse> {
    const session = this.session(userId, sessionId);
    const job = await this.commands.details(session, session.info.hostname, jobId);
    return { user_id: userId, session_id: session.info.sessionId, host: session.info.hostname, job };
  }

  async cancel(userId: string, sessionId: string | undefined, jobId: string): Promise<{ job_id: string; cancelled: true }> {
    const session = this.session(userId, sessionId);
    await this.commands.cancel(session, session.info.hostname, jobId);
    this.options.logger.info({ event: 'slurm.cancel', user_id: userId, session_id: session.info.sessionId, job_id: jobId }, 'slurm job cancelled');
    this.pollers.get(userId)?.get(session.info.sessionId)?.refresh();
    return { job_id: jobId, cancelled: true };
  }

  async output(userId: string, sessionId: string | undefined, jobId: string, stream: SlurmStream, tailBytes: number): Promise<SlurmOutputResponse> {
    const session = this.session(userId, sessionId);
    const path = outputPath(await this.commands.details(session, session.info.hostname, jobId), stream);
    const tail = await readTail(new SftpFiles(session), path, tailBytes);
    return { job_id: jobId, stream, ...tail };
  }

  async jobGpus(userId: string, sessionId: string | undefined, jobId: string, node?: string): Promise<SlurmJobGpusResponse> {
    const session = this.session(userId, sessionId);
    const host = session.info.hostname;
    const job = await this.commands.details(session, host, jobId);
    const held = node ? job.gpus.nodes.find((n) => n.node === node) : job.gpus.nodes[0];
    if (!held) throw new AppError('conflict', `Job ${jobId} holds no GPUs${node ? ` on ${node}` : ''} now (state ${job.state})`);
    const outcome = await this.commands.jobGpus(session, jobId, held.node);
    const at = new Date().toISOString();
    const base = { user_id: userId, session_id: session.info.sessionId, host: held.node, job_id: jobId, node: held.node, indices: held.indices };
    if (outcome.status !== 'ok') return { ...base, sampled_at: null, stale: false, age_seconds: null, source: null, gpus: [], error: outcome.error };
    // Without cgroup device limits nvidia-smi in the job sees the whole node: keep the job's own GPUs.
    const gpus = outcome.gpus.filter((gpu) => held.indices.includes(gpu.index));
    return { ...base, sampled_at: at, stale: false, age_seconds: 0, source: outcome.source, gpus };
  }

  async watch(userId: string, sessionId: string | undefined, watcherId: string, listener: JobsListener): Promise<JobsWatchAck> {
    const poller = this.pollerFor(this.session(userId, sessionId));
    poller.watch(watcherId, listener);
    const jobs = await poller.current();
    if (poller.missingSlurm) {
      poller.unwatch(watcherId);
      throw new AppError('not_found', poller.missingSlurm);
    }
    return { user_id: userId, session_id: poller.sessionId, interval_ms: poller.intervalMs, jobs };
  }

  unwatch(userId: string, watcherId: string): { user_id: string; unwatched: string[] } {
    const unwatched: string[] = [];
    for (const poller of this.pollers.get(userId)?.values() ?? []) if (poller.unwatch(watcherId)) unwatched.push(poller.sessionId);
    return { user_id: userId, unwatched };
  }

  async follow(
    request: { userId: string; sessionId?: string; jobId: string; stream: SlurmStream; tailBytes: number; watcherId: string },
    emit: { data(event: JobOutputEvent): void; end(event: JobOutputEndEvent): void },
  ): Promise<JobFollowAck> {
    const { userId, jobId, stream, watcherId } = request;
    if ([...this.follows.values()].filter((f) => f.watcherId === watcherId).length >= MAX_FOLLOWS_PER_SOCKET) {
      throw new AppError('rate_limited', `At most ${MAX_FOLLOWS_PER_SOCKET} job outputs are followed per connection: unfollow one first`);
    }
    const session = this.session(userId, request.sessionId);
    const job = await this.commands.details(session, session.info.hostname, jobId);
    const path = outputPath(job, stream);
    const followId = `follow-${crypto.randomBytes(6).toString('hex')}`;
    const reader = () => new SftpFiles(this.session(userId, session.info.sessionId));
    const tail = await readTail(reader(), path, request.tailBytes).catch(() => ({ offset: 0, size: 0, data: '' }));
    const poller = this.pollerFor(session);
    const follower = new OutputFollower({
      path,
      offset: tail.offset + Buffer.byteLength(tail.data),
      intervalMs: this.options.followIntervalMs,
      reader,
      onData: (offset, data) => emit.data({ follow_id: followId, job_id: jobId, stream, offset, data }),
      onEnd: (reason) => {
        this.dropFollow(followId);
        emit.end({ follow_id: followId, job_id: jobId, reason });
      },
    });
    this.follows.set(followId, { userId, watcherId, jobId, follower, poller });
    // After the ack (setImmediate runs once the reply has gone), so the client knows the follow id first.
    if (tail.data) setImmediate(() => emit.data({ follow_id: followId, job_id: jobId, stream, offset: tail.offset, data: tail.data }));
    // The list read tells the follower when the job has ended; it keeps the session's poller reading meanwhile.
    const onJobs: JobsListener = (list) => {
      const now = list.jobs.find((j) => j.job_id === jobId);
      if (now && isEnded(now.state)) follower.jobEnded(`job ${jobId} ended (${now.state})`);
    };
    poller.watch(followId, onJobs);
    if (isEnded(job.state)) follower.jobEnded(`job ${jobId} ended (${job.state})`);
    return { follow_id: followId, job_id: jobId, stream, path };
  }

  /** Stop one socket's follows (of one job, or all). */
  unfollow(userId: string, watcherId: string, jobId?: string): { unfollowed: string[] } {
    const unfollowed: string[] = [];
    for (const [id, follow] of this.follows) {
      if (follow.userId !== userId || follow.watcherId !== watcherId || (jobId !== undefined && follow.jobId !== jobId)) continue;
      this.dropFollow(id);
      unfollowed.push(id);
    }
    return { unfollowed };
  }

  /** A socket went away: its watches and follows end. */
  dropWatcher(watcherId: string): void {
    for (const user of this.pollers.values()) for (const poller of user.values()) poller.unwatch(watcherId);
    for (const [id, follow] of this.follows) if (follow.watcherId === watcherId) this.dropFollow(id);
  }

  /** Sessions come and go: pause the pollers of dropped ones, forget disconnected ones. */
  reconcile(userId: string): void {
    const user = this.pollers.get(userId);
    if (!user) return;
    for (const [sessionId, poller] of user) {
      const live = this.options.sessions.find(userId, sessionId);
      if (live?.active) poller.setActive(true, live.info.hostname);
      else if (this.options.sessions.list(userId).some((s) => s.session_id === sessionId)) poller.setActive(false, poller.host);
      else {
        poller.close();
        user.delete(sessionId);
      }
    }
    if (!user.size) this.pollers.delete(userId);
  }

  private dropFollow(id: string): void {
    const follow = this.follows.get(id);
    if (!follow) return;
    follow.follower.stop();
    follow.poller.unwatch(id);
    this.follows.delete(id);
  }

  private session(userId: string, sessionId: string | undefined): SshSession {
    const session = this.options.sessions.require(userId, sessionId);
    if (!session.active) throw new AppError('upstream_failed', `SSH session '${session.info.sessionId}' is not active: reconnect it`);
    return session;
  }

  private pollerFor(session: SshSession): SlurmPoller {
    const { userId, sessionId, hostname } = session.info;
    let user = this.pollers.get(userId);
    if (!user) this.pollers.set(userId, (user = new Map()));
    const existing = user.get(sessionId);
    if (existing) return existing;
    const poller = new SlurmPoller({
      userId,
      sessionId,
      host: hostname,
      intervalMs: this.options.pollIntervalMs,
      read: () => {
        const live = this.options.sessions.find(userId, sessionId);
        if (!live?.active) return Promise.resolve({ status: 'failed', error: `SSH session '${sessionId}' is not active`, timedOut: false });
        return this.commands.list(live, live.info.hostname);
      },
      onList: (p, jobs) => this.afterList(p, userId, jobs),
    });
    user.set(sessionId, poller);
    return poller;
  }

  /** Alerts for what changed, accounting for jobs that vanished, and the bridge's own finished list appended. */
  private async afterList(poller: SlurmPoller, userId: string, jobs: SlurmJob[]): Promise<SlurmJob[]> {
    const where = { userId, sessionId: poller.sessionId, host: poller.host };
    const { alerts } = this.options;
    const { transitions, vanished } = alerts.observe(userId, poller.sessionId, jobs);
    if (vanished.length) {
      const live = this.options.sessions.find(userId, poller.sessionId);
      const accounted = live ? await this.commands.accounted(live, vanished).catch(() => null) : null;
      if (accounted) transitions.push(...alerts.settle(accounted.map((a) => ({ job_id: a.job_id, name: a.name, state: a.state }))));
      else this.options.logger.info({ event: 'slurm.vanished', user_id: userId, jobs: vanished }, 'jobs left squeue unseen and no accounting answers');
    }
    for (const transition of transitions) {
      const alert = alerts.toAlert(transition, where);
      this.options.logger.info({ event: 'slurm.alert', user_id: userId, job_id: alert.job_id, kind: alert.kind }, 'slurm job alert');
      this.options.onAlert(alert);
    }
    const listed = new Set(jobs.map((job) => job.job_id));
    return [...jobs, ...alerts.finished(userId, poller.sessionId).filter((job) => !listed.has(job.job_id))];
  }
}

function outputPath(job: SlurmJob, stream: SlurmStream): string {
  const path = stream === 'stdout' ? job.stdout_path : job.stderr_path;
  if (!path) throw new AppError('not_found', `Job ${job.job_id} has no ${stream} file Slurm names`);
  return path;
}
