// The signed-in app's services, shared by every view: the platform seam, the HTTP client, the live socket
// and the user's pushed state. SignedIn owns their lifetimes; views read them with useApp().
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Overview } from '../../../bridge/contracts/overview';
import type { UserState } from '../../../bridge/contracts/socket';
import { ApiClient } from '../api/api-client';
import { saveOwnerUser, type Credentials } from '../api/credentials';
import { openLiveSocket, type LiveSocket, type LiveStatus } from '../api/live-socket';
import type { HostPlatform } from '../platform/host-platform';

export interface AppServices {
  platform: HostPlatform;
  isOwner: boolean;
  api: ApiClient;
  socket: LiveSocket | null;
  status: LiveStatus;
  /** The user's full picture as the bridge last pushed it; null until the first push. */
  state: UserState | null;
  /** The owner's picture of every known user (null for devices, and until the first push). */
  overview: Overview | null;
  /** The user this UI acts for: the owner's choice, or the device's own user once known. */
  userId: string | null;
  setOwnerUser(userId: string): void;
  signOut(reason: string): void;
}

const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside SignedIn');
  return services;
}

interface SignedInProps {
  platform: HostPlatform;
  credentials: Credentials;
  ownerUser: string;
  onSignOut(reason: string): void;
  children: ReactNode;
}

export function SignedIn({ platform, credentials, ownerUser: initialOwnerUser, onSignOut, children }: SignedInProps) {
  const isOwner = credentials.kind === 'owner';
  const [ownerUser, setOwnerUserState] = useState(initialOwnerUser);
  const [socket, setSocket] = useState<LiveSocket | null>(null);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [state, setState] = useState<UserState | null>(null);
  const [overview, setOverview] = useState<Overview | null>(null);
  const watchUser = isOwner ? ownerUser : null;

  const api = useMemo(
    () => new ApiClient({ token: credentials.token, userId: watchUser, onUnauthorized: (detail) => onSignOut(detail) }),
    [credentials.token, watchUser, onSignOut],
  );

  useEffect(() => {
    setState(null);
    const live = openLiveSocket(credentials.token, watchUser, {
      onStatus: setStatus,
      onState: (next) => setState((current) => (watchUser && next.user_id !== watchUser ? current : next)),
      onOverview: setOverview,
      onUnauthorized: (detail) => onSignOut(detail),
    });
    setSocket(live);
    return () => {
      live.removeAllListeners();
      live.disconnect();
    };
  }, [credentials.token, watchUser, onSignOut]);

  const setOwnerUser = useCallback((userId: string) => {
    saveOwnerUser(userId);
    setOwnerUserState(userId);
  }, []);

  const services: AppServices = {
    platform,
    isOwner,
    api,
    socket,
    status,
    state,
    overview,
    userId: isOwner ? ownerUser : (state?.user_id ?? null),
    setOwnerUser,
    signOut: onSignOut,
  };
  return <AppContext.Provider value={services}>{children}</AppContext.Provider>;
}
