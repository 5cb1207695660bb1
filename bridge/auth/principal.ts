// Who is calling: the owner (the workstation's user, may act for any user_id) or a paired device
// (acts only for its own user). Every route and socket handler resolves the user it acts for here.
import { AppError } from '../core/errors.js';

export type Principal =
  | { kind: 'owner' }
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
