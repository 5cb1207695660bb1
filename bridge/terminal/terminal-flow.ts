// Flow control for terminal output over socket.io: each chunk is acknowledged by the client once taken;
// past a high-water mark of unacknowledged bytes the source is paused, below a low-water mark resumed.
// Bytes in flight per terminal stay bounded whatever the client does (stops reading, vanishes, is slow).

export interface AckWindowOptions {
  highWaterBytes: number;
  lowWaterBytes: number;
  pause(): void;
  resume(): void;
}

/** 256 KiB in flight keeps a LAN or loopback link busy while one phone can only ever pin that much. */
export const TERMINAL_HIGH_WATER_BYTES = 256 * 1024;
export const TERMINAL_LOW_WATER_BYTES = 64 * 1024;

export class AckWindow {
  private unacked = 0;
  private paused = false;

  constructor(private readonly options: AckWindowOptions) {}

  get unackedBytes(): number {
    return this.unacked;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Count `bytes` as sent; returns the ack callback for them (extra calls are ignored). */
  sent(bytes: number): () => void {
    this.unacked += bytes;
    if (!this.paused && this.unacked >= this.options.highWaterBytes) {
      this.paused = true;
      this.options.pause();
    }
    let acked = false;
    return () => {
      if (acked) return;
      acked = true;
      this.unacked -= bytes;
      if (this.paused && this.unacked <= this.options.lowWaterBytes) {
        this.paused = false;
        this.options.resume();
      }
    };
  }
}
