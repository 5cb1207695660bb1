// The owner's sign-in endpoints: a one-time link's nonce traded for a session, and signing out.
import { defineEndpoint } from './endpoint.js';
import { SignInBody, SignInLinkResponse, SignInResponse, SignOutResponse } from './auth.js';

export const authEndpoints = {
  signIn: defineEndpoint({ method: 'post', path: '/api/auth/signin', body: SignInBody, response: SignInResponse }),
  signInLink: defineEndpoint({ method: 'post', path: '/api/auth/signin-link', response: SignInLinkResponse }),
  signOut: defineEndpoint({ method: 'post', path: '/api/auth/signout', response: SignOutResponse }),
};
