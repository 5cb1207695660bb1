// Who is calling: the owner (the workstation's user, may act for any user_id) or a paired device
// (acts only for its own user). Every route and socket handler resolves the user it acts for here.
import { AppError } from './errors.js';

export type Principal =
  /** `session`: the owner session the token belongs to (none for owner.token), so its end reaches its sockets. */
  | { kind: 'owner'; session?: string }
  | { kind: 'device'; userId: string; deviceId: string };

/** Where a token was presented (paired devices record their last address). */
export interface AuthenticationSource {
  clientAddress: string;
}

/** Turns a bearer token into a principal, or null when the token is not theirs. */
export interface Authenticator {
  authenticate(token: string, source?: AuthenticationSource): Principal | null;
}

/**
 * The user a request acts for. The owner must name one; a device acts for its own user and may not
 * name another.
 */
export function resolveUserId(principal: Principal, requested: string | undefined): string {
  if (principal.kind === 'owner') {
    if (requested === undefined || requested === '') throw new AppError('invalid', 'user_id: Required');
    return requested;
  }
  if (requested !== undefined && requested !== principal.userId) {
    throw new AppError('forbidden', `This device is paired for user '${principal.userId}' and may not act for '${requested}'`);
  }
  return principal.userId;
}

/**
 * A device may name no user but its own anywhere in a request: any `user_id` key, at any depth of the
 * query, body, path parameters or socket payload, even where the operation does not read one. Checked
 * centrally by the transports, so a route that forgets a place cannot act for the device's user instead
 * of refusing.
 */
export function assertNamesOnlyOwnUser(principal: Principal, parts: readonly unknown[]): void {
  if (principal.kind !== 'device') return;
  // Iterative, so a deeply nested body cannot overflow the stack.
  const pending: unknown[] = [...parts];
  while (pending.length) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'user_id') assertOwnUserValue(principal, value);
      else pending.push(value);
    }
  }
}

function assertOwnUserValue(principal: Extract<Principal, { kind: 'device' }>, value: unknown): void {
  // A repeated query parameter arrives as an array: every one must be the device's own.
  for (const named of Array.isArray(value) ? value : [value]) {
    if (typeof named === 'string') resolveUserId(principal, named);
    else throw new AppError('forbidden', `This device is paired for user '${principal.userId}' and may name no other user_id`);
  }
}

export function authenticateWith(
  authenticators: readonly Authenticator[],
  token: string,
  source?: AuthenticationSource,
): Principal | null {
  // No authenticator ever sees an empty token, whatever it would make of one.
  if (token.length === 0) return null;
  for (const authenticator of authenticators) {
    const principal = authenticator.authenticate(token, source);
    if (principal) return principal;
  }
  return null;
}
