// One job: its details (scontrol), the output following live, the GPUs it holds (sampled inside the job),
// and cancel behind a confirmation.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SlurmJob, SlurmJobGpusResponse } from '../../../../bridge/contracts/slurm';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { href, navigate } from '../../app/router';
import { useAction } from '../../app/use-action';
import { Banner, Button, Card, Loading, PageHeader } from '../../ui/kit';
import { errorText, formatDate } from '../../ui/format';
import { GpuCard } from '../gpus/gpu-card';
import { Elapsed, gpuText, StateBadge } from './job-bits';
import { useJobOutput } from './use-jobs';
import { isEnded } from './job-states';

function Detail({ label, value }: { label: string; value: string | null }) {
  return (
    <div className="job-detail">
      <dt>{label}</dt>
      <dd className="mono">{value ?? '—'}</dd>
    </div>
  );
}

function Output({ sessionId, jobId }: { sessionId: string; jobId: string }) {
  const { text, ended, error } = useJobOutput(sessionId, jobId);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text]);
  return (
    <Card title="Output" actions={<span className="muted">{ended ? 'ended' : 'following'}</span>}>
      {error && <Banner kind="warning">{error}</Banner>}
      <pre className="job-output" ref={box} data-testid="job-output" aria-live="polite">
        {text || (error ? '' : 'Waiting for output…')}
      </pre>
      {ended && <p className="muted">{ended}</p>}
    </Card>
  );
}

function JobGpus({ sessionId, jobId }: { sessionId: string; jobId: string }) {
  const { api } = useApp();
  const [answer, setAnswer] = useState<SlurmJobGpusResponse | null>(null);
  const action = useAction();
  const load = (): Promise<void> => action.run(async () => setAnswer(await api.call(endpoints.slurm.jobGpus, { params: { id: jobId }, query: { session_id: sessionId } })));
  return (
    <Card title="GPUs of this job" actions={<Button onClick={() => void load()} busy={action.busy}>{answer ? 'Refresh' : 'Show'}</Button>}>
      {action.error && <Banner kind="warning">{action.error}</Banner>}
      {answer?.error && <Banner kind="info">{answer.error}</Banner>}
      {answer && (
        <div className="gpu-grid">
          {answer.gpus.map((gpu) => (
            <GpuCard key={gpu.index} gpu={gpu} series={undefined} minutes={0} />
          ))}
        </div>
      )}
    </Card>
  );
}

function CancelJob({ sessionId, job }: { sessionId: string; job: SlurmJob }) {
  const { api } = useApp();
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  if (isEnded(job.state)) return null;
  const cancel = (): Promise<void> => action.run(async () => {
    await api.call(endpoints.slurm.cancelJob, { params: { id: job.job_id }, query: { session_id: sessionId } });
    setConfirming(false);
  });
  return (
    <div className="job-cancel">
      {action.error && <Banner>{action.error}</Banner>}
      {confirming ? (
        <div role="group" aria-label="Confirm cancel" className="job-cancel-confirm">
          <span>Cancel job {job.job_id}? It stops at once.</span>
          <Button variant="danger" onClick={() => void cancel()} busy={action.busy}>Yes, cancel it</Button>
          <Button onClick={() => setConfirming(false)}>Keep it</Button>
        </div>
      ) : (
        <Button variant="danger" onClick={() => setConfirming(true)}>Cancel job</Button>
      )}
    </div>
  );
}

export function JobPage({ sessionId, jobId, listed }: { sessionId: string; jobId: string; listed: SlurmJob | null }) {
  const { api } = useApp();
  const [details, setDetails] = useState<SlurmJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.call(endpoints.slurm.job, { params: { id: jobId }, query: { session_id: sessionId } }).then(
      (answer) => setDetails(answer.job),
      (e: unknown) => setError(errorText(e)),
    );
  }, [api, jobId, sessionId]);
  // Details again whenever the live list shows the job in a new state.
  useEffect(load, [load, listed?.state]);
  const job = details && listed && listed.state !== details.state ? { ...details, state: listed.state } : (details ?? listed);
  const back = href('/jobs', { session: sessionId });
  return (
    <div className="page">
      <PageHeader
        title={`Job ${jobId}`}
        subtitle={job ? job.name : undefined}
        actions={
          <a href={back} onClick={(e) => (e.preventDefault(), navigate(back))}>
            All jobs
          </a>
        }
      />
      {error && !job && <Banner title="Cannot read this job">{error}</Banner>}
      {!job && !error && <Loading label="Asking scontrol…" />}
      {job && (
        <>
          <Card>
            <div className="job-row-head">
              <StateBadge job={job} />
              <Elapsed job={job} />
            </div>
            <dl className="job-details">
              <Detail label="Reason" value={job.reason} />
              <Detail label="Partition" value={job.partition} />
              <Detail label="Nodes" value={job.nodes} />
              <Detail label="GPUs" value={gpuText(job)} />
              <Detail label="Submitted" value={job.submit_time && formatDate(job.submit_time)} />
              <Detail label="Started" value={job.start_time && formatDate(job.start_time)} />
              <Detail label="Ended" value={job.end_time && formatDate(job.end_time)} />
              <Detail label="Exit code" value={job.exit_code} />
              <Detail label="Directory" value={job.work_dir} />
              <Detail label="Output" value={job.stdout_path} />
            </dl>
            <CancelJob sessionId={sessionId} job={job} />
          </Card>
          <Output sessionId={sessionId} jobId={jobId} />
          {job.gpus.nodes.length > 0 && !isEnded(job.state) && <JobGpus sessionId={sessionId} jobId={jobId} />}
        </>
      )}
    </div>
  );
}
