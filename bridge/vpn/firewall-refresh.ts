// Keeps users' container firewalls current: each new container's own network gives the workstation a new
// address (that network's gateway), which the containers made before must reject too; after a restart the
// adopted ones are brought up to date as well.
import type { Logger } from '../core/logger.js';

export interface FirewallTarget {
  /** The running containers by user. */
  containers(): ReadonlyMap<string, string>;
}

export class FirewallRefresher {
  private known = new Set<string>();

  constructor(
    private readonly target: FirewallTarget,
    private readonly driver: { firewall(containerId: string): Promise<void> },
    private readonly logger: Logger,
  ) {}

  /** Call on every change: when a container appeared, the others' rules are set again. */
  check(): void {
    const current = this.target.containers();
    const before = this.known;
    this.known = new Set(current.values());
    if ([...this.known].every((id) => before.has(id))) return;
    // The new ones got their rules when they were made.
    void this.refresh(current, (id) => before.has(id));
  }

  /** Set every container's rules again (at start, after adoption). */
  refreshAll(): Promise<void> {
    const current = this.target.containers();
    this.known = new Set(current.values());
    return this.refresh(current, () => true);
  }

  private async refresh(containers: ReadonlyMap<string, string>, include: (containerId: string) => boolean): Promise<void> {
    const work = [...containers].filter(([, id]) => include(id));
    await Promise.all(
      work.map(([userId, containerId]) =>
        this.driver.firewall(containerId).catch((error: unknown) =>
          this.logger.warn({ event: 'vpn.firewall_refresh_failed', user_id: userId, container_id: containerId, err: error }, 'could not refresh a container firewall'),
        ),
      ),
    );
  }
}
