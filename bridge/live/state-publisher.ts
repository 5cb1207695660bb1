// Pushes a user's `state` to their sockets on every change. Changes in one event-loop turn collapse into
// one push, and at most one snapshot per user is in flight, so a burst never reorders or floods.
import type { Logger } from '../core/logger.js';
import type { LiveEvents } from '../core/live-events.js';
import type { UserStateService } from './user-state.service.js';

export class StatePublisher {
  /** Users with a push scheduled or running; `dirty` means another change came in meanwhile. */
  private readonly pending = new Map<string, { dirty: boolean }>();
  private readonly onChanged = (userId: string): void => this.schedule(userId);

  constructor(
    private readonly state: UserStateService,
    private readonly live: LiveEvents,
    private readonly logger: Logger,
  ) {
    state.on('changed', this.onChanged);
  }

  stop(): void {
    this.state.off('changed', this.onChanged);
  }

  private schedule(userId: string): void {
    const entry = this.pending.get(userId);
    if (entry) {
      entry.dirty = true;
      return;
    }
    this.pending.set(userId, { dirty: false });
    setImmediate(() => void this.push(userId));
  }

  private async push(userId: string): Promise<void> {
    try {
      this.live.toUser(userId, 'state', await this.state.snapshot(userId));
    } catch (error) {
      this.logger.error({ err: error, user_id: userId }, 'could not build the user state');
    }
    const entry = this.pending.get(userId)!;
    if (entry.dirty) {
      entry.dirty = false;
      setImmediate(() => void this.push(userId));
    } else {
      this.pending.delete(userId);
    }
  }
}
