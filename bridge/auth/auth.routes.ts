// HTTP adapter for the owner's one-time sign-in: exchange a link's nonce, make a new link, sign out.
import { SignInBody, SignInLinkResponse, SignInResponse, SignOutResponse } from '../contracts/auth.js';
import { bearerToken } from '../transport/http-app.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { OwnerSessions } from './owner-sessions.js';

/** `<base>/#signin=<nonce>`: the nonce rides in the fragment, which never reaches a server or a log. */
export const signInUrl = (base: string, nonce: string): string => `${base}/#signin=${nonce}`;

export function authRoutes(sessions: OwnerSessions): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/signin',
      tag: 'auth',
      summary: 'Exchange a one-time sign-in link for an owner session',
      description: 'The nonce works once and only until it expires (SIGNIN_LINK_TTL_SECONDS); a second use is 401.',
      auth: 'none',
      body: SignInBody,
      response: SignInResponse,
      handler: ({ body }) => {
        const session = sessions.exchange(body.nonce);
        return { token: session.token, kind: 'owner' as const, idle_timeout_seconds: session.idleTimeoutMs / 1000 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/signin-link',
      tag: 'auth',
      summary: 'A new one-time sign-in link (what `npm run signin` prints)',
      auth: 'owner',
      response: SignInLinkResponse,
      errors: [403],
      // The link points where the caller reached the bridge (the Host check vouches for the name).
      handler: ({ req }) => {
        const { nonce, expiresAt, expiresInMs } = sessions.issueNonce();
        return { url: signInUrl(`${req.protocol}://${req.get('host')}`, nonce), expires_at: new Date(expiresAt).toISOString(), expires_in: expiresInMs / 1000 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/signout',
      tag: 'auth',
      summary: 'End the owner session this request carries (other tokens are left alone)',
      auth: 'owner',
      response: SignOutResponse,
      errors: [403],
      handler: ({ req }) => ({ signed_out: sessions.revoke(bearerToken(req.get('authorization')) ?? '') }),
    }),
  ];
}
