// Live Slurm data for one session: jobs:watch (one squeue per interval on the bridge however many watch),
// `jobs` events when the list changes; and a job's output followed with job:follow until it ends.
import { useEffect, useState } from 'react';
import type { JobFollowAck, JobOutputEndEvent, JobOutputEvent, JobsWatchAck, SlurmJobsResponse } from '../../../../bridge/contracts/slurm';
import { useApp } from '../../app/app-context';
import { request } from '../../api/live-socket';
import { errorText } from '../../ui/format';

/** Output kept on screen: the newest part of a chatty job's log. */
const MAX_OUTPUT_CHARS = 64 * 1024;

export function useJobsWatch(sessionId: string | null) {
  const { socket, status, isOwner, userId } = useApp();
  const [jobs, setJobs] = useState<SlurmJobsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!sessionId || !socket || status !== 'online' || (isOwner && !userId)) return;
    let cancelled = false;
    const owner = isOwner && userId ? { user_id: userId } : {};
    setError(null);
    const onJobs = (list: SlurmJobsResponse): void => {
      if (list.session_id === sessionId && (!userId || list.user_id === userId)) setJobs(list);
    };
    socket.on('jobs', onJobs);
    request<JobsWatchAck>(socket, (ack) => socket.emit('jobs:watch', { ...owner, session_id: sessionId }, ack)).then(
      (ack) => !cancelled && ack.jobs && setJobs(ack.jobs),
      (e: unknown) => !cancelled && setError(errorText(e)),
    );
    return () => {
      cancelled = true;
      socket.off('jobs', onJobs);
      if (socket.connected) socket.emit('jobs:unwatch', owner);
    };
  }, [socket, status, isOwner, userId, sessionId]);

  useEffect(() => setJobs(null), [sessionId, userId]);
  return { jobs, error };
}

export function useJobOutput(sessionId: string | null, jobId: string | null) {
  const { socket, status, isOwner, userId } = useApp();
  const [text, setText] = useState('');
  const [ended, setEnded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!sessionId || !jobId || !socket || status !== 'online' || (isOwner && !userId)) return;
    let cancelled = false;
    let followId: string | null = null;
    // Until the ack names the follow, events of this job are taken as ours (one follow per job here).
    const ours = (event: { follow_id: string; job_id: string }): boolean => (followId ? event.follow_id === followId : event.job_id === jobId);
    const owner = isOwner && userId ? { user_id: userId } : {};
    setText('');
    setEnded(null);
    setError(null);
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
        if (cancelled && socket.connected) socket.emit('job:unfollow', { ...owner, job_id: jobId });
      },
      (e: unknown) => !cancelled && setError(errorText(e)),
    );
    return () => {
      cancelled = true;
      socket.off('job:output', onData);
      socket.off('job:output:end', onEnd);
      if (socket.connected && followId) socket.emit('job:unfollow', { ...owner, job_id: jobId });
    };
  }, [socket, status, isOwner, userId, sessionId, jobId]);

  return { text, ended, error };
}
