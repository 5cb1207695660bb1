// PtyTerminalService with a stubbed container shell provider (a PassThrough stands in for docker exec):
// output after attach, pause/resume, exit, the per-user limit, closing by owner, no provider = 503.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../bridge/core/logger.js';
import type { ContainerPort } from '../../../bridge/core/container-port.js';
import type { ShellExit, ShellHandle } from '../../../bridge/core/shell-handle.js';
import { PtyTerminalService } from '../../../bridge/terminal/pty-terminals.service.js';

const logger = createLogger({ level: 'silent' });

function fakeShell(): ShellHandle & { end(exit: ShellExit): void; sizes: Array<[number, number]> } {
  const stream = new PassThrough();
  let finish: (exit: ShellExit) => void = () => undefined;
  const exited = new Promise<ShellExit>((resolve) => (finish = resolve));
  const sizes: Array<[number, number]> = [];
  return {
    stream,
    sizes,
    resize: (cols, rows) => sizes.push([cols, rows]),
    close: () => finish({ code: null, signal: 'HUP' }),
    exited,
    end: (exit) => finish(exit),
  };
}

/** A container port whose only working part is openShell: terminals use nothing else. */
function shellsOnly(openShell: ContainerPort['openShell']): ContainerPort {
  return {
    containerFor: () => null,
    exec: async () => {
      throw new Error('terminals run no commands');
    },
    files: () => null,
    openShell,
    openStream: async () => null,
  };
}

function serviceWith(shells: ReturnType<typeof fakeShell>[], maxPerUser = 2): PtyTerminalService {
  const containers = shellsOnly(async () => {
    const shell = fakeShell();
    shells.push(shell);
    return shell;
  });
  return new PtyTerminalService({ sessions: null as never, logger, maxPerUser, containers });
}

const open = (service: PtyTerminalService, ownerKey = 'socket-1') => service.open({ userId: 'alice', target: 'container', cols: 80, rows: 24, ownerKey });

describe('PtyTerminalService (stubbed container shells)', () => {
  it('delivers output once attached, and exit with the status', async () => {
    const shells: ReturnType<typeof fakeShell>[] = [];
    const terminal = await open(serviceWith(shells));
    shells[0]!.stream.write('before attach ');
    const chunks: string[] = [];
    const exits: unknown[] = [];
    terminal.attach({ data: (c) => chunks.push(c.toString()), exit: (e) => exits.push(e) });
    shells[0]!.stream.write('after');
    terminal.resize(100, 30);
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks.join('')).toBe('before attach after');
    expect(shells[0]!.sizes).toEqual([[100, 30]]);
    shells[0]!.end({ code: 0, signal: null });
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([{ code: 0, signal: null, reason: null }]);
  });

  it('holds output while paused', async () => {
    const shells: ReturnType<typeof fakeShell>[] = [];
    const terminal = await open(serviceWith(shells));
    const chunks: string[] = [];
    terminal.attach({ data: (c) => chunks.push(c.toString()), exit: () => undefined });
    terminal.pause();
    shells[0]!.stream.write('held');
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toEqual([]);
    terminal.resume();
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toEqual(['held']);
  });

  it('limits terminals per user and frees the slot when one closes, with its reason', async () => {
    const service = serviceWith([], 2);
    const first = await open(service, 'socket-1');
    await open(service, 'socket-2');
    await expect(open(service)).rejects.toMatchObject({ kind: 'conflict' });
    const exits: Array<{ reason: string | null }> = [];
    first.attach({ data: () => undefined, exit: (e) => exits.push(e) });
    service.closeOwnedBy('socket-1', 'the connection closed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([expect.objectContaining({ reason: 'the connection closed' })]);
    expect(service.countFor('alice')).toBe(1);
    expect((await open(service)).id).toMatch(/^term_/);
  });

  it('answers 503 without a container shell provider, 404 when the user has no container', async () => {
    const bare = new PtyTerminalService({ sessions: null as never, logger, maxPerUser: 8, containers: null });
    await expect(open(bare)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/this bridge runs no VPN containers/) });
    const noContainer = new PtyTerminalService({ sessions: null as never, logger, maxPerUser: 8, containers: shellsOnly(async () => null) });
    await expect(open(noContainer)).rejects.toMatchObject({ kind: 'not_found', message: expect.stringMatching(/no VPN container/) });
    expect(bare.countFor('alice')).toBe(0);
    expect(noContainer.countFor('alice')).toBe(0);
  });
});
