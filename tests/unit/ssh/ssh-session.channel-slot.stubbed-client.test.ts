// A command's channel slot is given back when its channel has closed, not on 'exit' or 'end': sshd counts
// a session against MaxSessions until then, so an earlier hand-over would open past its limit and be refused.
import { EventEmitter } from 'node:events';
import type { Client } from 'ssh2';
import { describe, expect, it, vi } from 'vitest';
import { SshSession, type SessionInfo } from '../../../bridge/ssh/ssh-session.js';

const INFO: SessionInfo = {
  userId: 'alice',
  sessionId: 'default',
  hostname: '127.0.0.1',
  username: 'alice',
  port: 22,
  connectedAt: new Date(0).toISOString(),
  viaJump: null,
  hostKeyFingerprint: 'SHA256:stub',
};

function stubChannel() {
  return Object.assign(new EventEmitter(), { stderr: new EventEmitter(), signal: vi.fn(), close: vi.fn() });
}

/** An ssh2 Client whose exec hands out the next stub channel and records the command. */
function stubClient() {
  const channels: Array<ReturnType<typeof stubChannel>> = [];
  const client = Object.assign(new EventEmitter(), {
    end: vi.fn(),
    exec: vi.fn((_command: string, callback: (error: Error | undefined, channel: unknown) => void) => {
      const channel = stubChannel();
      channels.push(channel);
      callback(undefined, channel);
    }),
  });
  return { client, channels };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const EXEC = { timeoutMs: 10_000, outputLimitBytes: 1024 };

describe('a command channel slot', () => {
  it('stays taken after exit and end, and frees on close', async () => {
    const { client, channels } = stubClient();
    const session = new SshSession(INFO, client as unknown as Client, { maxChannels: 2, reservedForCommands: 1, waitMs: 1000 });
    const running = session.exec('true', EXEC);
    await turn();
    expect(session.channelsInUse).toBe(1);
    channels[0]!.emit('exit', 0);
    channels[0]!.emit('end');
    await turn();
    expect(session.channelsInUse).toBe(1);
    channels[0]!.emit('close');
    await expect(running).resolves.toMatchObject({ exitCode: 0, timedOut: false });
    expect(session.channelsInUse).toBe(0);
  });

  it('goes to the next waiting command only once the channel before it has closed', async () => {
    const { client, channels } = stubClient();
    const session = new SshSession(INFO, client as unknown as Client, { maxChannels: 1, reservedForCommands: 0, waitMs: 1000 });
    const first = session.exec('first', EXEC);
    const second = session.exec('second', EXEC);
    await turn();
    expect(client.exec).toHaveBeenCalledTimes(1);
    channels[0]!.emit('exit', 0);
    await turn();
    expect(client.exec).toHaveBeenCalledTimes(1);
    channels[0]!.emit('close');
    await first;
    await turn();
    expect(client.exec).toHaveBeenCalledTimes(2);
    expect(client.exec.mock.calls[1]![0]).toBe('second');
    channels[1]!.emit('exit', 0);
    channels[1]!.emit('close');
    await expect(second).resolves.toMatchObject({ exitCode: 0 });
    expect(session.channelsInUse).toBe(0);
  });
});
