// Who this UI is signed in as: the owner (token from the desktop shell or the `#owner=` link that
// `npm run serve` prints) or a paired device (token from /pair). Kept in localStorage, never in the URL.

export type CredentialKind = 'owner' | 'device';

export interface Credentials {
  kind: CredentialKind;
  token: string;
}

const TOKEN_KEY = 'vigilink.token';
const KIND_KEY = 'vigilink.kind';
const USER_KEY = 'vigilink.owner-user';
const DEVICE_KEY = 'vigilink.device-id';

export function loadCredentials(): Credentials | null {
  const token = localStorage.getItem(TOKEN_KEY);
  const kind = localStorage.getItem(KIND_KEY);
  if (!token || (kind !== 'owner' && kind !== 'device')) return null;
  return { kind, token };
}

export function saveCredentials(credentials: Credentials): void {
  localStorage.setItem(TOKEN_KEY, credentials.token);
  localStorage.setItem(KIND_KEY, credentials.kind);
}

export function clearCredentials(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(KIND_KEY);
  localStorage.removeItem(DEVICE_KEY);
}

/** This phone's own device id (from its claim), to mark it in the device list. */
export function loadDeviceId(): string | null {
  return localStorage.getItem(DEVICE_KEY);
}

export function saveDeviceId(deviceId: string): void {
  localStorage.setItem(DEVICE_KEY, deviceId);
}

/**
 * Takes `#owner=<token>` out of the address bar at once (before anything renders or logs the URL) and
 * returns it. The fragment never reaches a server; replaceState keeps it out of history too.
 */
export function takeOwnerTokenFromUrl(): string | null {
  const match = /^#owner=([A-Za-z0-9_-]{20,200})$/.exec(window.location.hash);
  if (!window.location.hash.startsWith('#owner=')) return null;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return match?.[1] ?? null;
}

/** The bridge's user id rule (contracts/common.ts UserId): letters, digits and . _ @ -, at most 64. */
export const isUserId = (value: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(value);

/** The user the owner acts for (the owner may act for anyone; a device always acts for its own user). */
export function loadOwnerUser(): string {
  return localStorage.getItem(USER_KEY) || 'owner';
}

export function saveOwnerUser(userId: string): void {
  localStorage.setItem(USER_KEY, userId);
}
