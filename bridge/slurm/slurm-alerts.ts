// Job alerts: the last state the bridge saw of each job per user and session, kept in slurm-jobs.json so a
// restart neither repeats an alert nor loses one; each list read is compared with it and every transition
// (started, completed, failed, timed out, cancelled, out of memory) fires once. Ended jobs that left squeue
// are kept too (bounded): they are the "recently finished" list where no accounting database answers.
import crypto from 'node:crypto';
import path from 'node:path';
import type { JobAlert, JobAlertKind, SlurmJob } from '../contracts/slurm.js';
import { JsonFileWriter, readJson } from '../store/atomic-json.js';
import { baseState, isEnded } from './slurm-values.js';

/** Ended jobs remembered per session after they leave squeue. */
const MAX_FINISHED_PER_SESSION = 50;

interface SessionRecord {
  user_id: string;
  session_id: string;
  /** job id -> last state seen. */
  states: Array<[string, string]>;
  finished: SlurmJob[];
}

interface JobsFile {
  version: 1;
  sessions: SessionRecord[];
}

interface SessionMemory {
  states: Map<string, string>;
  finished: SlurmJob[];
}

interface Transition {
  job: Pick<SlurmJob, 'job_id' | 'name' | 'state'>;
  kind: JobAlertKind;
}

/** Which alert a state change is, if any: pure, so the table is unit-tested on its own. */
export function transitionOf(previous: string | undefined, current: string): JobAlertKind | null {
  const now = baseState(current);
  const before = previous === undefined ? undefined : baseState(previous);
  if (before === now) return null;
  if (isEnded(now)) {
    if (before !== undefined && isEnded(before)) return null;
    if (now === 'COMPLETED') return 'completed';
    if (now === 'TIMEOUT' || now === 'DEADLINE') return 'timeout';
    if (now === 'CANCELLED') return 'cancelled';
    if (now === 'OUT_OF_MEMORY') return 'out_of_memory';
    return 'failed';
  }
  if (now === 'RUNNING' && (before === undefined || before === 'PENDING' || before === 'CONFIGURING' || before === 'REQUEUED')) return 'started';
  return null;
}

const KIND_WORDS: Record<JobAlertKind, string> = {
  started: 'started',
  completed: 'completed',
  failed: 'failed',
  timeout: 'hit its time limit',
  cancelled: 'was cancelled',
  out_of_memory: 'ran out of memory',
};

const keyOf = (userId: string, sessionId: string): string => `${userId}\0${sessionId}`;

export class JobAlerts {
  private readonly sessions = new Map<string, SessionMemory>();
  private readonly file: string;
  private readonly writer: JsonFileWriter<JobsFile>;
  private loaded: Promise<void> | null = null;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'slurm-jobs.json');
    this.writer = new JsonFileWriter(this.file);
  }

  load(): Promise<void> {
    return (this.loaded ??= readJson<JobsFile>(this.file, { version: 1, sessions: [] }).then((data) => {
      for (const record of Array.isArray(data.sessions) ? data.sessions : []) {
        this.sessions.set(keyOf(record.user_id, record.session_id), { states: new Map(record.states), finished: record.finished ?? [] });
      }
    }));
  }

  /**
   * Compare a fresh list with what was seen last. The first list of a session is only remembered (jobs that
   * ended before anyone watched are not news). `vanished`: jobs last seen running that left the list
   * unseen in an end state; the caller asks accounting about them and passes the answer to `settle`.
   */
  observe(userId: string, sessionId: string, jobs: readonly SlurmJob[]): { transitions: Transition[]; vanished: string[] } {
    const key = keyOf(userId, sessionId);
    const memory = this.sessions.get(key);
    const next = new Map(jobs.map((job) => [job.job_id, job.state]));
    if (!memory) {
      this.sessions.set(key, { states: next, finished: [] });
      void this.save().catch(() => undefined);
      return { transitions: [], vanished: [] };
    }
    const transitions: Transition[] = [];
    for (const job of jobs) {
      const kind = transitionOf(memory.states.get(job.job_id), job.state);
      if (kind) transitions.push({ job, kind });
    }
    const vanished: string[] = [];
    for (const [id, state] of memory.states) {
      if (next.has(id)) continue;
      if (!isEnded(state) && baseState(state) !== 'PENDING') vanished.push(id);
    }
    this.remember(memory, jobs);
    memory.states = next;
    // Every list is saved, not only those with alerts: a state change without one (RUNNING -> COMPLETING)
    // must not fire again after a restart either.
    void this.save().catch(() => undefined);
    return { transitions, vanished };
  }

  /** Accounting's word on vanished jobs: alert on those that ended, as if squeue had shown it. */
  settle(ended: ReadonlyArray<Pick<SlurmJob, 'job_id' | 'name' | 'state'>>): Transition[] {
    const transitions: Transition[] = [];
    for (const job of ended) {
      const kind = transitionOf('RUNNING', job.state);
      if (kind) transitions.push({ job, kind });
    }
    return transitions;
  }

  /** Ended jobs the bridge saw that squeue no longer lists (newest first). */
  finished(userId: string, sessionId: string): SlurmJob[] {
    return [...(this.sessions.get(keyOf(userId, sessionId))?.finished ?? [])];
  }

  toAlert(transition: Transition, where: { userId: string; sessionId: string; host: string }, at = Date.now()): JobAlert {
    const { job, kind } = transition;
    return {
      id: `alert-${crypto.randomBytes(6).toString('hex')}`,
      type: 'slurm',
      kind,
      user_id: where.userId,
      session_id: where.sessionId,
      host: where.host,
      job_id: job.job_id,
      job_name: job.name,
      state: job.state,
      message: `Job ${job.job_id}${job.name ? ` (${job.name})` : ''} on ${where.host} ${KIND_WORDS[kind]}`,
      fired_at: new Date(at).toISOString(),
    };
  }

  flush(): Promise<void> {
    return this.loaded ? this.save() : Promise.resolve();
  }

  /** Ended jobs in this list replace older copies; the list stays bounded. */
  private remember(memory: SessionMemory, jobs: readonly SlurmJob[]): void {
    const ended = jobs.filter((job) => isEnded(job.state));
    if (!ended.length) return;
    const ids = new Set(ended.map((job) => job.job_id));
    memory.finished = [...ended, ...memory.finished.filter((job) => !ids.has(job.job_id))].slice(0, MAX_FINISHED_PER_SESSION);
  }

  private save(): Promise<void> {
    return this.writer.save(() => ({
      version: 1,
      sessions: [...this.sessions].map(([key, memory]) => {
        const [userId, sessionId] = key.split('\0') as [string, string];
        return { user_id: userId, session_id: sessionId, states: [...memory.states], finished: memory.finished };
      }),
    }));
  }
}
