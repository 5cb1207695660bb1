// Keeps every user's tunnel state true between requests: a cheap probe per container each interval
// (openconnect alive, tun interface with an address, no reconnect pending) and CONTAINER_TIMEOUT expiry.
import type { Logger } from '../core/logger.js';
import type { VpnService } from './vpn.service.js';

export class VpnHealthWatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly service: VpnService,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One round; a round still running when the next is due is not doubled. */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        await this.service.expireOld();
        await Promise.all(
          this.service.users().map((userId) =>
            this.service.refresh(userId).catch((error: unknown) =>
              this.logger.warn({ event: 'vpn.probe_failed', user_id: userId, err: error }, 'vpn health probe failed'),
            ),
          ),
        );
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
