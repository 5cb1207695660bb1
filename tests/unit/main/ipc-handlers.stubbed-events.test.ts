// IPC handlers (main/ipc/ipc-handlers.ts) called with stubbed IpcMainInvokeEvents (plain objects with
// the sender id and frame the checks read): foreign senders and bad arguments are refused.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../bridge/core/logger.js';
import { isAppError } from '../../../bridge/core/errors.js';
import { IpcChannel } from '../../../main/ipc/ipc-channels.js';
import { createIpcHandlers, registerIpcHandlers, TrustedSenders, type InvokeEventLike } from '../../../main/ipc/ipc-handlers.js';

const ORIGIN = 'http://127.0.0.1:8000';
const WINDOW_ID = 7;

function setup() {
  const logLines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void logLines.push(line) } });
  const loginCalls: boolean[] = [];
  let openAtLogin = false;
  const senders = new TrustedSenders(ORIGIN);
  senders.add(WINDOW_ID);
  const handlers = createIpcHandlers({
    senders,
    logger,
    services: {
      ownerToken: () => 'owner-token-value',
      appVersion: () => '0.1.0',
      startAtLogin: {
        isEnabled: async () => openAtLogin,
        setEnabled: async (enabled) => {
          loginCalls.push(enabled);
          openAtLogin = enabled;
          return openAtLogin;
        },
      },
    },
  });
  const call = (channel: IpcChannel, event: InvokeEventLike, ...args: unknown[]) => handlers.get(channel)!(event, ...args);
  return { handlers, senders, call, loginCalls, logLines };
}

const fromWindow = (url = `${ORIGIN}/devices`, id = WINDOW_ID): InvokeEventLike => ({ sender: { id }, senderFrame: { url, parent: null } });

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; message: string }> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  if (!isAppError(error)) throw error;
  return { kind: error.kind, message: error.message };
}

describe('IPC handlers', () => {
  it('has exactly one handler per channel', () => {
    expect([...setup().handlers.keys()].sort()).toEqual(Object.values(IpcChannel).sort());
  });

  it('answers our window on the bridge origin', async () => {
    const { call, loginCalls } = setup();
    await expect(call(IpcChannel.getOwnerToken, fromWindow())).resolves.toBe('owner-token-value');
    await expect(call(IpcChannel.appVersion, fromWindow())).resolves.toBe('0.1.0');
    await expect(call(IpcChannel.getOpenAtLogin, fromWindow())).resolves.toBe(false);
    await expect(call(IpcChannel.setOpenAtLogin, fromWindow(), true)).resolves.toBe(true);
    await expect(call(IpcChannel.getOpenAtLogin, fromWindow())).resolves.toBe(true);
    expect(loginCalls).toEqual([true]);
  });

  it.each([
    ['a web contents we did not create', { sender: { id: 99 }, senderFrame: { url: `${ORIGIN}/`, parent: null } }, 'not a Vigilink window'],
    ['our window showing another site', fromWindow('https://evil.example/'), 'not on the bridge origin'],
    ['our window on another port of loopback', fromWindow('http://127.0.0.1:8001/'), 'not on the bridge origin'],
    ['a subframe of our window', { sender: { id: WINDOW_ID }, senderFrame: { url: `${ORIGIN}/`, parent: {} } }, 'not the top frame'],
    ['a frame that is gone', { sender: { id: WINDOW_ID }, senderFrame: null }, 'sender frame is gone'],
  ])('refuses %s on every channel', async (_name, event, reason) => {
    const { call, loginCalls } = setup();
    for (const channel of Object.values(IpcChannel)) {
      const args = channel === IpcChannel.setOpenAtLogin ? [true] : [];
      const refused = await refusal(call(channel, event as InvokeEventLike, ...args));
      expect(refused.kind).toBe('forbidden');
      expect(refused.message).toContain(reason);
      expect(refused.message).not.toContain('owner-token-value');
    }
    expect(loginCalls).toEqual([]);
  });

  it('stops trusting a window once it is removed (closed)', async () => {
    const { call, senders } = setup();
    senders.remove(WINDOW_ID);
    expect((await refusal(call(IpcChannel.getOwnerToken, fromWindow()))).kind).toBe('forbidden');
  });

  it.each([
    ['no argument', []],
    ['a string', ['true']],
    ['a number', [1]],
    ['null', [null]],
    ['an object', [{ enabled: true }]],
    ['an extra argument', [true, 'extra']],
  ])('refuses setOpenAtLogin with %s', async (_name, args) => {
    const { call, loginCalls } = setup();
    const refused = await refusal(call(IpcChannel.setOpenAtLogin, fromWindow(), ...args));
    expect(refused.kind).toBe('invalid');
    expect(refused.message).toMatch(/bad arguments/);
    expect(loginCalls).toEqual([]);
  });

  it('refuses arguments on channels that take none', async () => {
    const { call } = setup();
    expect((await refusal(call(IpcChannel.getOwnerToken, fromWindow(), 'x'))).kind).toBe('invalid');
    expect((await refusal(call(IpcChannel.appVersion, fromWindow(), {}))).kind).toBe('invalid');
  });

  it('logs a refusal with the sender URL, never the arguments', async () => {
    const { call, logLines } = setup();
    await refusal(call(IpcChannel.setOpenAtLogin, fromWindow('https://evil.example/x'), 'ARGUMENT-MARKER'));
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toContain('https://evil.example/x');
    expect(logLines[0]).toContain(IpcChannel.setOpenAtLogin);
    expect(logLines[0]).not.toContain('ARGUMENT-MARKER');
  });

  it('registers every handler on ipcMain (stubbed ipcMain)', () => {
    const { handlers } = setup();
    const registered = new Map<string, unknown>();
    registerIpcHandlers({ handle: (channel, listener) => void registered.set(channel, listener) }, handlers);
    expect([...registered.keys()].sort()).toEqual(Object.values(IpcChannel).sort());
    expect(registered.get(IpcChannel.getOwnerToken)).toBe(handlers.get(IpcChannel.getOwnerToken));
  });
});
