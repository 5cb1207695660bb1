// socket.io adapter for GPU monitoring: gpu:watch / gpu:unwatch. Samples go to the watching socket
// only (a phone watching one session is not sent every session's stream); alerts go to the whole user.
import { GpuUnwatchPayload, GpuWatchPayload } from '../contracts/gpu.js';
import { handleEvent, type SocketModule } from '../transport/socket-server.js';
import type { GpuService } from './gpu.service.js';

export function gpuSocket(gpu: GpuService): SocketModule {
  return (ctx) => {
    const { socket } = ctx;
    socket.on(
      'gpu:watch',
      handleEvent(ctx, GpuWatchPayload, (payload) =>
        gpu.watch(ctx.userId(payload.user_id), payload.session_id, socket.id, payload.interval_ms, (snapshot) => socket.emit('gpu', snapshot)),
      ),
    );
    socket.on(
      'gpu:unwatch',
      handleEvent(ctx, GpuUnwatchPayload, (payload) => gpu.unwatch(ctx.userId(payload.user_id), payload.session_id, socket.id)),
    );
    socket.on('disconnect', () => gpu.unwatchAll(socket.id));
  };
}
