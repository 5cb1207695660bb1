// HTTP adapter for the owner's one-time sign-in: exchange a link's nonce, make a new link, sign out.
import { authEndpoints } from '../contracts/auth.endpoints.js';
import { bearerToken } from '../transport/http-app.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { OwnerSessions } from './owner-sessions.js';

/** `<base>/#signin=<nonce>`: the nonce rides in the fragment, which never reaches a server or a log. */
export const signInUrl = (base: string, nonce: string): string => `${base}/#signin=${nonce}`;

export function authRoutes(sessions: OwnerSessions): AnyRoute[] {
  return [
    defineRoute(authEndpoints.signIn, {
      tag: 'auth',
      summary: 'Exchange a one-time sign-in link for an owner session',
      description: 'The nonce works once and only until it expires (SIGNIN_LINK_TTL_SECONDS); a second use is 401.',
      auth: 'none',
      handler: ({ body }) => {
        const session = sessions.exchange(body.nonce);
        return { token: session.token, kind: 'owner' as const, idle_timeout_seconds: session.idleTimeoutMs / 1000 };
      },
    }),
    defineRoute(authEndpoints.signInLink, {
      tag: 'auth',
      summary: 'A new one-time sign-in link (what `npm run signin` prints)',
      auth: 'owner',
      errors: [403],
      // The link points where the caller reached the bridge (the Host check vouches for the name).
      handler: ({ req }) => {
        const { nonce, expiresAt, expiresInMs } = sessions.issueNonce();
        return { url: signInUrl(`${req.protocol}://${req.get('host')}`, nonce), expires_at: new Date(expiresAt).toISOString(), expires_in: expiresInMs / 1000 };
      },
    }),
    defineRoute(authEndpoints.signOut, {
      tag: 'auth',
      summary: 'End the owner session this request carries (other tokens are left alone)',
      auth: 'owner',
      errors: [403],
      handler: ({ req }) => ({ signed_out: sessions.revoke(bearerToken(req.get('authorization')) ?? '') }),
    }),
  ];
}
