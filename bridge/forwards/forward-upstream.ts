// The far end of a forward: streams to remote_host:remote_port through an SSH session (direct-tcpip) or
// the user's VPN container (socat), and an http.Agent whose "sockets" are those streams, for the proxy.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, errorMessage, isAppError } from '../core/errors.js';

/** Opens one new stream to the forward's target. */
export type OpenUpstream = () => Promise<Duplex>;

/** How long a container stream must stay up to count as connected (socat reports a refusal at once). */
export const CONTAINER_SETTLE_MS = 400;

/**
 * Check the target answers before the forward is handed out: a refused port is a 502 now, not a
 * broken page later. An SSH channel open already says so; socat in a container fails right after.
 */
export async function probeUpstream(open: OpenUpstream, settleMs = 0): Promise<void> {
  const stream = await open().catch((error: unknown) => {
    // No session and no container says so as it is; anything else is the remote's answer.
    if (isAppError(error) && error.kind === 'not_found') throw error;
    throw new AppError('upstream_failed', `The remote refused or could not be reached: ${errorMessage(error)}`);
  });
  if (settleMs > 0) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, settleMs);
      const fail = (error?: Error) => {
        clearTimeout(timer);
        reject(new AppError('upstream_failed', `The remote refused or could not be reached: ${error ? error.message : 'the connection closed'}`));
      };
      stream.once('error', fail);
      stream.once('close', () => fail());
    });
  }
  stream.destroy();
}

// The http client and the proxy call socket tuning methods a channel does not have; they mean nothing here.
const SOCKET_NO_OPS = ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref'] as const;

function asSocketLike(stream: Duplex): Duplex {
  const target = stream as unknown as Record<string, unknown>;
  for (const name of SOCKET_NO_OPS) {
    if (typeof target[name] !== 'function') target[name] = () => stream;
  }
  return stream;
}

/**
 * An agent that connects by opening a stream to the target: kept alive between requests (a channel open
 * is a round trip to the server), every stream reported to `onOpen` so closing the forward can end them.
 */
export class UpstreamAgent extends http.Agent {
  constructor(
    private readonly open: OpenUpstream,
    private readonly onOpen: (stream: Duplex) => void,
  ) {
    super({ keepAlive: true, maxSockets: 32, maxFreeSockets: 8 });
  }

  override createConnection(_options: unknown, callback: (error: Error | null, socket: Duplex) => void): undefined {
    this.open().then(
      (stream) => {
        this.onOpen(stream);
        callback(null, asSocketLike(stream));
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), undefined as unknown as Duplex),
    );
    return undefined;
  }
}
