// Jobs: the user's Slurm jobs on the chosen session's login node, live over the socket, with state badges,
// elapsed against the limit and GPUs; a job's own page (?job=ID) has details, output and cancel.
import type { SlurmJob } from '../../../../bridge/contracts/slurm';
import { href, navigate, useLocation } from '../../app/router';
import { NoSession, SessionPicker, useSelectedSession } from '../../app/session-picker';
import { useNow } from '../../app/use-now';
import { Badge, Banner, Empty, Loading, PageHeader } from '../../ui/kit';
import { formatSince } from '../../ui/format';
import { JobPage } from './job-page';
import { Elapsed, gpuText, StateBadge } from './job-bits';
import { useJobsWatch } from './use-jobs';
import './jobs.css';

function JobRow({ job, sessionId }: { job: SlurmJob; sessionId: string }) {
  const gpus = gpuText(job);
  const open = href('/jobs', { session: sessionId, job: job.job_id });
  return (
    <li>
      <a
        className="card job-row"
        href={open}
        data-job={job.job_id}
        onClick={(e) => {
          e.preventDefault();
          navigate(open);
        }}
      >
        <div className="job-row-head">
          <span className="mono job-id">{job.job_id}</span>
          <strong className="job-name">{job.name || '(no name)'}</strong>
          <StateBadge job={job} />
        </div>
        <div className="job-row-meta">
          <Elapsed job={job} />
          {job.partition && <span className="muted">{job.partition}</span>}
          {job.nodes && <span className="mono muted">{job.nodes}</span>}
          {gpus && <span className="job-gpus">{gpus}</span>}
        </div>
      </a>
    </li>
  );
}

export function JobsView() {
  const { query } = useLocation();
  const { sessions, selected, loading } = useSelectedSession();
  const { jobs, error } = useJobsWatch(selected?.session_id ?? null);
  const now = useNow(5_000);
  const jobId = query.get('job');
  if (loading) return <Loading />;
  if (selected && jobId) return <JobPage sessionId={selected.session_id} jobId={jobId} listed={jobs?.jobs.find((j) => j.job_id === jobId) ?? null} />;
  return (
    <div className="page">
      <PageHeader
        title="Jobs"
        subtitle={
          jobs ? (
            <span className="gpu-host">
              <span className="mono">{jobs.host}</span>
              {jobs.fetched_at && <span>updated {formatSince(jobs.fetched_at, now)}</span>}
              {jobs.stale && <Badge tone="warn">stale</Badge>}
            </span>
          ) : (
            'Your Slurm jobs on the session’s login node'
          )
        }
        actions={<SessionPicker sessions={sessions} selected={selected} path="/jobs" />}
      />
      {!selected ? (
        <NoSession what="Slurm jobs" missing={query.get('session')} />
      ) : (
        <>
          {error && <Banner title="Cannot list jobs on this host">{error}</Banner>}
          {jobs?.error && <Banner kind="warning" title="Showing the last good list">{jobs.error}</Banner>}
          {!jobs && !error && <Loading label="Asking squeue…" />}
          {jobs && jobs.jobs.length === 0 && <Empty icon="server" title="No jobs">Jobs you submit with sbatch show up here.</Empty>}
          {jobs && jobs.jobs.length > 0 && (
            <ul className="job-list" aria-label="Jobs">
              {jobs.jobs.map((job) => (
                <JobRow key={job.job_id} job={job} sessionId={selected.session_id} />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
