// The owner's overview: every user some capability knows of (sessions, containers, devices, GPU watches
// and rules, terminals), each with their state and counts, pushed to owner sockets on every change.
import type { Logger } from '../core/logger.js';
import type { Overview, OverviewUser } from '../contracts/overview.js';
import type { UserState } from '../contracts/socket.js';
import type { LiveEvents } from '../core/live-events.js';
import type { UserStateService } from './user-state.service.js';

/** What the overview needs of the terminals service (not part of UserState). */
export interface TerminalCounts {
  users(): string[];
  countFor(userId: string): number;
}

export function overviewUser(state: UserState, terminals: number): OverviewUser {
  const active = state.ssh.sessions.filter((s) => s.active).length;
  return {
    user_id: state.user_id,
    sessions: state.ssh.sessions,
    vpn: state.vpn,
    devices: state.devices,
    terminals,
    gpu: state.gpu,
    forwards: state.forwards.forwards,
    counts: {
      active_sessions: active,
      dropped_sessions: state.ssh.sessions.length - active,
      devices: state.devices.length,
      terminals,
      gpu_watches: state.gpu.sessions.length,
      forwards: state.forwards.forwards.length,
      container: state.vpn.container_id !== null,
    },
  };
}

export class OverviewService {
  private pushing = false;
  private dirty = false;
  private readonly onChanged = (): void => this.schedule();

  constructor(
    private readonly state: UserStateService,
    private readonly terminals: TerminalCounts,
    private readonly live: LiveEvents,
    private readonly logger: Logger,
  ) {
    state.on('changed', this.onChanged);
  }

  async snapshot(): Promise<Overview> {
    const users: OverviewUser[] = [];
    for (const userId of this.state.knownUsers(this.terminals.users())) {
      users.push(overviewUser(await this.state.snapshot(userId), this.terminals.countFor(userId)));
    }
    return {
      users,
      totals: {
        users: users.length,
        active_sessions: users.reduce((sum, u) => sum + u.counts.active_sessions, 0),
        containers: users.filter((u) => u.counts.container).length,
      },
    };
  }

  stop(): void {
    this.state.off('changed', this.onChanged);
  }

  /** Changes in one event-loop turn collapse into one push; one push at a time, so they never reorder. */
  private schedule(): void {
    if (this.pushing) {
      this.dirty = true;
      return;
    }
    this.pushing = true;
    setImmediate(() => void this.push());
  }

  private async push(): Promise<void> {
    try {
      this.live.toOwners('overview', await this.snapshot());
    } catch (error) {
      this.logger.error({ err: error }, 'could not build the overview');
    }
    this.pushing = false;
    if (this.dirty) {
      this.dirty = false;
      this.schedule();
    }
  }
}
