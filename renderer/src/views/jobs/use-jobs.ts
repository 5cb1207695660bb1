// Live Slurm data for one session: jobs:watch (one squeue per interval on the bridge however many watch),
// `jobs` events when the list changes; and a job's output followed with job:follow until it ends.
import { useEffect, useMemo, useState } from 'react';
import type { JobFollowAck, JobOutputEndEvent, JobOutputEvent, JobsWatchAck, SlurmJobsResponse } from '../../../../bridge/contracts/slurm';
import { useApp } from '../../app/app-context';
import { useLiveWatch, type LiveWatch } from '../../app/use-live-watch';
import { request } from '../../api/live-socket';

/** Output kept on screen: the newest part of a chatty job's log. */
const MAX_OUTPUT_CHARS = 64 * 1024;

export function useJobsWatch(sessionId: string | null) {
  const { userId } = useApp();
  const [jobs, setJobs] = useState<SlurmJobsResponse | null>(null);
  const start = useMemo(
    () =>
      sessionId
        ? ({ socket, owner, userId: forUser, cancelled, fail }: LiveWatch) => {
            const onJobs = (list: SlurmJobsResponse): void => {
              if (list.session_id === sessionId && (!forUser || list.user_id === forUser)) setJobs(list);
            };
            socket.on('jobs', onJobs);
            request<JobsWatchAck>(socket, (ack) => socket.emit('jobs:watch', { ...owner, session_id: sessionId }, ack)).then(
              (ack) => !cancelled() && ack.jobs && setJobs(ack.jobs),
              fail,
            );
            return () => {
              socket.off('jobs', onJobs);
              if (socket.connected) socket.emit('jobs:unwatch', owner);
            };
          }
        : null,
    [sessionId],
  );
  const { error } = useLiveWatch(start);

  useEffect(() => setJobs(null), [sessionId, userId]);
  return { jobs, error };
}

export function useJobOutput(sessionId: string | null, jobId: string | null) {
  const [text, setText] = useState('');
  const [ended, setEnded] = useState<string | null>(null);
  const start = useMemo(
    () =>
      sessionId && jobId
        ? ({ socket, owner, cancelled, fail }: LiveWatch) => {
            let followId: string | null = null;
            // Until the ack names the follow, events of this job are taken as ours (one follow per job here).
            const ours = (event: { follow_id: string; job_id: string }): boolean => (followId ? event.follow_id === followId : event.job_id === jobId);
            setText('');
            setEnded(null);
            const onData = (event: JobOutputEvent): void => {
              if (ours(event)) setText((old) => (old + event.data).slice(-MAX_OUTPUT_CHARS));
            };
            const onEnd = (event: JobOutputEndEvent): void => {
              if (ours(event)) setEnded(event.reason);
            };
            socket.on('job:output', onData);
            socket.on('job:output:end', onEnd);
            request<JobFollowAck>(socket, (ack) => socket.emit('job:follow', { ...owner, session_id: sessionId, job_id: jobId, tail_bytes: 16_384 }, ack)).then(
              (ack) => {
                followId = ack.follow_id;
                if (cancelled() && socket.connected) socket.emit('job:unfollow', { ...owner, job_id: jobId });
              },
              fail,
            );
            return () => {
              socket.off('job:output', onData);
              socket.off('job:output:end', onEnd);
              if (socket.connected && followId) socket.emit('job:unfollow', { ...owner, job_id: jobId });
            };
          }
        : null,
    [sessionId, jobId],
  );
  const { error } = useLiveWatch(start);

  return { text, ended, error };
}
