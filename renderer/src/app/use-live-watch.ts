// A live subscription over the socket for the user the app acts for: started once the socket is online (and
// the owner has picked a user), torn down and restarted when any of that changes; a failed start is `error`.
import { useEffect, useState } from 'react';
import type { LiveSocket } from '../api/live-socket';
import { errorText } from '../ui/format';
import { useApp } from './app-context';

export interface LiveWatch {
  socket: LiveSocket;
  /** What a request names for the owner's socket ({ user_id }); a device's socket acts for its own user. */
  owner: { user_id?: string };
  userId: string | null;
  /** True once this subscription was torn down: its late answers are dropped. */
  cancelled(): boolean;
  /** Shows why the subscription could not start (unless it was torn down meanwhile). */
  fail(error: unknown): void;
}

/** `start` subscribes and returns its teardown; null while there is nothing to watch. Memoise it: a new one restarts the watch. */
export function useLiveWatch(start: ((watch: LiveWatch) => () => void) | null): { error: string | null } {
  const { socket, status, isOwner, userId } = useApp();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!start || !socket || status !== 'online' || (isOwner && !userId)) return;
    let cancelled = false;
    setError(null);
    const stop = start({
      socket,
      owner: isOwner && userId ? { user_id: userId } : {},
      userId,
      cancelled: () => cancelled,
      fail: (e) => {
        if (!cancelled) setError(errorText(e));
      },
    });
    return () => {
      cancelled = true;
      stop();
    };
  }, [start, socket, status, isOwner, userId]);

  return { error };
}
