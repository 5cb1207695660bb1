// AckWindow: pauses past the high-water mark of unacknowledged bytes, resumes below the low one.
import { describe, expect, it } from 'vitest';
import { AckWindow } from '../../../bridge/terminal/terminal-flow.js';

describe('AckWindow', () => {
  it('pauses once unacked bytes reach the high mark and resumes at the low mark', () => {
    const calls: string[] = [];
    const flow = new AckWindow({ highWaterBytes: 100, lowWaterBytes: 40, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    const acks = [flow.sent(30), flow.sent(30), flow.sent(30)];
    expect(calls).toEqual([]);
    acks.push(flow.sent(30));
    expect(calls).toEqual(['pause']);
    expect(flow.unackedBytes).toBe(120);
    acks[0]!();
    acks[1]!();
    expect(calls).toEqual(['pause']);
    acks[2]!();
    expect(calls).toEqual(['pause', 'resume']);
    expect(flow.isPaused).toBe(false);
  });

  it('ignores a chunk acked twice', () => {
    const flow = new AckWindow({ highWaterBytes: 10, lowWaterBytes: 0, pause: () => undefined, resume: () => undefined });
    const ack = flow.sent(5);
    flow.sent(5);
    ack();
    ack();
    expect(flow.unackedBytes).toBe(5);
    expect(flow.isPaused).toBe(true);
  });
});
