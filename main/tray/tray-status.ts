// Reads the tray's numbers from the bridge's services and re-renders the tray when the bridge's state
// changes (UserStateService emits `changed` for every capability), coalescing bursts of changes.
import type { TrayStatus } from './tray-menu.model.js';

/** The part of SshSessionService the tray reads. */
export interface SessionLister {
  users(): string[];
  list(userId: string): readonly { active: boolean }[];
}

export interface TrayStatusSources {
  sessions: SessionLister;
  /** Running VPN containers (VpnService.containerCount); absent where the bridge has no container capability. */
  containers?: () => number | Promise<number>;
  openAtLogin: () => Promise<boolean>;
}

export function countActiveSessions(sessions: SessionLister): number {
  return sessions.users().reduce((sum, user) => sum + sessions.list(user).filter((s) => s.active).length, 0);
}

export async function readTrayStatus(sources: TrayStatusSources): Promise<TrayStatus> {
  const [containers, openAtLogin] = await Promise.all([
    sources.containers ? sources.containers() : Promise.resolve(null),
    sources.openAtLogin(),
  ]);
  return { activeSessions: countActiveSessions(sources.sessions), containers, openAtLogin };
}

/** Anything that says "the state changed" (UserStateService). */
export interface ChangeSignal {
  on(event: 'changed', listener: () => void): unknown;
  off(event: 'changed', listener: () => void): unknown;
}

export interface TrayStatusWatcherOptions {
  sources: TrayStatusSources;
  changes: ChangeSignal;
  render(status: TrayStatus): void;
  onError(error: unknown): void;
  /** Changes within this window collapse into one read (a reconnect storm must not rebuild the menu 100 times). */
  coalesceMs?: number;
}

export class TrayStatusWatcher {
  private timer: NodeJS.Timeout | null = null;
  private last: string | null = null;
  private readonly onChange = (): void => this.schedule();

  constructor(private readonly options: TrayStatusWatcherOptions) {
    options.changes.on('changed', this.onChange);
  }

  /** Read now and render if anything differs from what is shown. */
  async refresh(): Promise<void> {
    try {
      const status = await readTrayStatus(this.options.sources);
      const key = JSON.stringify(status);
      if (key === this.last) return;
      this.last = key;
      this.options.render(status);
    } catch (error) {
      this.options.onError(error);
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.options.coalesceMs ?? 200);
  }

  stop(): void {
    this.options.changes.off('changed', this.onChange);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
