// Adapts the bridge to the desktop's small interfaces: what the bridge pushes to sockets (GPU `alert`s
// and reconnect `vpn:prompt`s to a user's sockets, `pair:claimed` to owner sockets) as a DesktopEventSource
// for native notifications.
import { EventEmitter } from 'node:events';
import type { Logger } from '../bridge/core/logger.js';
import type { ServerToClientEvents } from '../bridge/contracts/socket.js';
import type { LiveEvents } from '../bridge/core/live-events.js';
import type { DesktopEventSource, GpuAlertEvent, PairedDeviceEvent, VpnAnswerNeededEvent } from './notifications/desktop-notifications.js';

type Events = { alert: [GpuAlertEvent]; paired: [PairedDeviceEvent]; vpn: [VpnAnswerNeededEvent] };

/** Listen in-process to the bridge's live events; a failing listener is logged, never rethrown. */
export function liveDesktopEvents(live: LiveEvents, logger: Logger): DesktopEventSource {
  const events = new EventEmitter<Events>();
  const hear = (emit: () => void): void => {
    try {
      emit();
    } catch (error) {
      logger.warn({ err: error }, 'desktop notification failed');
    }
  };
  live.onSent(({ event, args }) => {
    if (event === 'alert') {
      const [alert] = args as Parameters<ServerToClientEvents['alert']>;
      hear(() =>
        events.emit('alert', {
          user_id: alert.user_id,
          session_id: alert.session_id,
          message: alert.message,
          host: alert.host,
          // Job alerts (type "slurm") name a job, not a GPU.
          gpu_index: alert.type === 'gpu' ? alert.gpu_index : null,
        }),
      );
    } else if (event === 'pair:claimed') {
      const [claimed] = args as Parameters<ServerToClientEvents['pair:claimed']>;
      hear(() => events.emit('paired', { user_id: claimed.device.user_id, device_name: claimed.device.name }));
    } else if (event === 'vpn:prompt') {
      // Only a reconnect's question: a connect's is answered where the person just pressed Connect.
      const [{ prompt }] = args as Parameters<ServerToClientEvents['vpn:prompt']>;
      if (prompt?.reconnect) hear(() => events.emit('vpn', { user_id: prompt.user_id, server: prompt.server, message: prompt.message }));
    }
  });

  return {
    onAlert: (listener) => {
      events.on('alert', listener);
      return () => void events.off('alert', listener);
    },
    onPaired: (listener) => {
      events.on('paired', listener);
      return () => void events.off('paired', listener);
    },
    onVpnAnswerNeeded: (listener) => {
      events.on('vpn', listener);
      return () => void events.off('vpn', listener);
    },
  };
}
