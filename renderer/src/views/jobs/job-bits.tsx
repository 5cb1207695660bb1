// Small pieces the job list and a job's page share: the state badge, elapsed against the limit, GPUs.
import type { SlurmJob } from '../../../../bridge/contracts/slurm';
import { useNow } from '../../app/use-now';
import { Badge, ProgressBar, type Tone } from '../../ui/kit';

const TONES = new Map<string, Tone>([
  ['RUNNING', 'ok'],
  ['COMPLETING', 'ok'],
  ['PENDING', 'idle'],
  ['COMPLETED', 'info'],
  ['CANCELLED', 'warn'],
  ['SUSPENDED', 'warn'],
  ['PREEMPTED', 'warn'],
]);

export function StateBadge({ job }: { job: SlurmJob }) {
  return <Badge tone={TONES.get(job.state) ?? 'bad'}>{job.state.toLowerCase().replace(/_/g, ' ')}</Badge>;
}

/** 3725 -> "1:02:05"; days as "2d 03:00:00". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const days = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return days ? `${days}d ${clock}` : clock;
}

export function Elapsed({ job }: { job: SlurmJob }) {
  const now = useNow(1000);
  if (job.elapsed_seconds === null) return <span className="muted">{job.reason ? `waiting: ${job.reason}` : 'not started'}</span>;
  // The list is pushed only when it changes: a running job's clock ticks here.
  const elapsed = job.state === 'RUNNING' && job.start_time ? Math.max(job.elapsed_seconds, Math.floor((now - Date.parse(job.start_time)) / 1000)) : job.elapsed_seconds;
  return (
    <div className="job-elapsed">
      <span className="mono">
        {formatDuration(elapsed)} / {job.time_limit_seconds === null ? 'no limit' : formatDuration(job.time_limit_seconds)}
      </span>
      {job.time_limit_seconds !== null && <ProgressBar value={elapsed} max={job.time_limit_seconds} label="Elapsed of the time limit" />}
    </div>
  );
}

export function gpuText(job: SlurmJob): string | null {
  if (!job.gpus.count) return null;
  const where = job.gpus.nodes.map((n) => `${n.node}: ${n.indices.join(',')}`).join('; ');
  return `${job.gpus.count} GPU${job.gpus.count === 1 ? '' : 's'}${where ? ` (${where})` : ''}`;
}
