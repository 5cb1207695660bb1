// socket.io adapter for Slurm: jobs:watch / jobs:unwatch (lists to the watching socket when they change) and
// job:follow / job:unfollow (a job's output as it is written). Job alerts go to the whole user, like GPU ones.
import { JobFollowPayload, JobsWatchPayload, JobUnfollowPayload } from '../contracts/slurm.js';
import { JobsUnwatchPayload } from '../contracts/socket.js';
import { handleEvent, type SocketModule } from '../transport/socket-server.js';
import type { SlurmService } from './slurm.service.js';

export function slurmSocket(slurm: SlurmService): SocketModule {
  return (ctx) => {
    const { socket } = ctx;
    socket.on(
      'jobs:watch',
      handleEvent(ctx, JobsWatchPayload, (payload) => slurm.watch(ctx.userId(payload.user_id), payload.session_id, socket.id, (jobs) => socket.emit('jobs', jobs))),
    );
    socket.on(
      'jobs:unwatch',
      handleEvent(ctx, JobsUnwatchPayload, (payload) => slurm.unwatch(ctx.userId(payload.user_id), socket.id)),
    );
    socket.on(
      'job:follow',
      handleEvent(ctx, JobFollowPayload, (payload) =>
        slurm.follow(
          { userId: ctx.userId(payload.user_id), sessionId: payload.session_id, jobId: payload.job_id, stream: payload.stream, tailBytes: payload.tail_bytes, watcherId: socket.id },
          { data: (event) => socket.emit('job:output', event), end: (event) => socket.emit('job:output:end', event) },
        ),
      ),
    );
    socket.on(
      'job:unfollow',
      handleEvent(ctx, JobUnfollowPayload, (payload) => slurm.unfollow(ctx.userId(payload.user_id), socket.id, payload.job_id)),
    );
    socket.on('disconnect', () => slurm.dropWatcher(socket.id));
  };
}
