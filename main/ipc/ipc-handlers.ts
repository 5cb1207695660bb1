// ipcMain handlers for the window's preload API. Every call is checked twice before it runs: the sender
// must be a window this process created, showing the bridge's origin in its top frame, and the
// arguments must parse with the channel's zod schema. Nothing else reaches the services.
import { z } from 'zod';
import type { IpcMain } from 'electron';
import { AppError } from '../../bridge/core/errors.js';
import type { Logger } from '../../bridge/core/logger.js';
import { formatZodIssues } from '../../bridge/core/zod-issues.js';
import { isSameOrigin } from '../security/web-security.policy.js';
import { IpcChannel } from './ipc-channels.js';

/** The parts of IpcMainInvokeEvent the checks read (the real event satisfies it; tests build plain ones). */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** Which web contents may call: the ids of windows we created, and the origin they must show. */
export class TrustedSenders {
  private readonly ids = new Set<number>();

  constructor(private readonly origin: string) {}

  add(webContentsId: number): void {
    this.ids.add(webContentsId);
  }

  remove(webContentsId: number): void {
    this.ids.delete(webContentsId);
  }

  /** Why a sender is refused, or null when it is trusted. */
  refusal(event: InvokeEventLike): string | null {
    if (!this.ids.has(event.sender.id)) return 'not a Vigilink window';
    const frame = event.senderFrame;
    // A destroyed or navigated-away frame has no senderFrame; a subframe has a parent.
    if (!frame) return 'sender frame is gone';
    if (frame.parent !== null) return 'not the top frame';
    if (!isSameOrigin(frame.url, this.origin)) return 'frame is not on the bridge origin';
    return null;
  }
}

export interface IpcServices {
  ownerToken(): string;
  appVersion(): string;
  startAtLogin: { isEnabled(): Promise<boolean>; setEnabled(enabled: boolean): Promise<boolean> };
}

interface ChannelSpec<A extends z.ZodTuple> {
  args: A;
  run(services: IpcServices, args: z.output<A>): unknown;
}

const spec = <A extends z.ZodTuple>(s: ChannelSpec<A>): ChannelSpec<A> => s;

/** Each channel's argument schema (a tuple: extra arguments are refused too) and its service call. */
const CHANNELS = {
  [IpcChannel.getOwnerToken]: spec({ args: z.tuple([]), run: (s) => s.ownerToken() }),
  [IpcChannel.appVersion]: spec({ args: z.tuple([]), run: (s) => s.appVersion() }),
  [IpcChannel.getOpenAtLogin]: spec({ args: z.tuple([]), run: (s) => s.startAtLogin.isEnabled() }),
  [IpcChannel.setOpenAtLogin]: spec({
    args: z.tuple([z.boolean()]),
    run: (s, [enabled]) => s.startAtLogin.setEnabled(enabled),
  }),
} satisfies Record<IpcChannel, ChannelSpec<z.ZodTuple>>;

export type IpcHandler = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export interface IpcHandlerOptions {
  services: IpcServices;
  senders: TrustedSenders;
  logger: Logger;
}

/** One checked handler per channel. A refusal rejects the renderer's promise with the reason, never the arguments. */
export function createIpcHandlers(options: IpcHandlerOptions): Map<IpcChannel, IpcHandler> {
  const handlers = new Map<IpcChannel, IpcHandler>();
  for (const [channel, channelSpec] of Object.entries(CHANNELS) as [IpcChannel, ChannelSpec<z.ZodTuple>][]) {
    handlers.set(channel, async (event, ...args) => {
      const refusal = options.senders.refusal(event);
      if (refusal) {
        // The URL says where the call came from; the arguments are never logged (they may be anything).
        options.logger.warn({ channel, sender_url: event.senderFrame?.url ?? null, refusal }, 'IPC call refused');
        throw new AppError('forbidden', `IPC ${channel} refused: ${refusal}`);
      }
      const parsed = channelSpec.args.safeParse(args);
      if (!parsed.success) {
        throw new AppError('invalid', `IPC ${channel} has bad arguments: ${formatZodIssues(parsed.error, 'args')}`);
      }
      return channelSpec.run(options.services, parsed.data);
    });
  }
  return handlers;
}

/** Glue: register the handlers on ipcMain. */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle'>, handlers: Map<IpcChannel, IpcHandler>): void {
  for (const [channel, handler] of handlers) ipcMain.handle(channel, handler);
}
