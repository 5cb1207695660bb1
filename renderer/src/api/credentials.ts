// Who this UI is signed in as: the owner (a session from the one-time `#signin=` link that `npm run serve`
// prints, or the desktop shell's token) or a paired device (token from /pair). Never in the URL. A device
// token is kept in localStorage; an owner session only in this tab's sessionStorage (it dies with the tab
// and the bridge); the desktop shell's owner token only in memory (the preload hands it over again).
import type { SignInResponse } from '../../../bridge/contracts/auth';
import { endpointUrl } from '../../../bridge/contracts/endpoint';
import { endpoints } from '../../../bridge/contracts/endpoints';
import { errorFrom } from './api-client';

export type CredentialKind = 'owner' | 'device';

export interface Credentials {
  kind: CredentialKind;
  token: string;
}

const TOKEN_KEY = 'vigilink.token';
const KIND_KEY = 'vigilink.kind';
const USER_KEY = 'vigilink.owner-user';
const DEVICE_KEY = 'vigilink.device-id';

/** A paired device's token (localStorage), else this tab's owner session (sessionStorage). */
export function loadCredentials(): Credentials | null {
  // 0.1.0 kept the owner token itself in localStorage: drop it (the desktop shell hands it over again).
  if (localStorage.getItem(KIND_KEY) === 'owner') {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(KIND_KEY);
  }
  const device = localStorage.getItem(TOKEN_KEY);
  if (device && localStorage.getItem(KIND_KEY) === 'device') return { kind: 'device', token: device };
  const owner = sessionStorage.getItem(TOKEN_KEY);
  return owner ? { kind: 'owner', token: owner } : null;
}

/** Keep credentials for reloads: a device's in localStorage, an owner session in this tab only. */
export function saveCredentials(credentials: Credentials): void {
  if (credentials.kind === 'owner') {
    sessionStorage.setItem(TOKEN_KEY, credentials.token);
    return;
  }
  localStorage.setItem(TOKEN_KEY, credentials.token);
  localStorage.setItem(KIND_KEY, credentials.kind);
}

export function clearCredentials(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(KIND_KEY);
  localStorage.removeItem(DEVICE_KEY);
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Trade the sign-in link's one-time nonce for an owner session; throws ApiError (401: used or expired). */
export async function signInWithNonce(nonce: string): Promise<Credentials> {
  const response = await fetch(endpointUrl(endpoints.auth.signIn), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nonce }),
  });
  if (!response.ok) throw await errorFrom(response);
  const answer = (await response.json()) as SignInResponse;
  return { kind: 'owner', token: answer.token };
}

/** This phone's own device id (from its claim), to mark it in the device list. */
export function loadDeviceId(): string | null {
  return localStorage.getItem(DEVICE_KEY);
}

export function saveDeviceId(deviceId: string): void {
  localStorage.setItem(DEVICE_KEY, deviceId);
}

/**
 * Takes `#signin=<nonce>` out of the address bar at once (before anything renders or logs the URL) and
 * returns it. The fragment never reaches a server; replaceState keeps it out of history too. An old
 * `#owner=<token>` link is taken out the same way and ignored: the owner token is not accepted from URLs.
 */
export function takeSignInNonceFromUrl(): string | null {
  const { hash } = window.location;
  if (!hash.startsWith('#signin=') && !hash.startsWith('#owner=')) return null;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return /^#signin=([A-Za-z0-9_-]{20,200})$/.exec(hash)?.[1] ?? null;
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
