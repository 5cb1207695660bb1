// Wire shapes of the owner's one-time sign-in: the link's nonce exchanged for an owner session token.
import { z } from 'zod';

export const SignInBody = z
  .object({ nonce: z.string().min(20).max(200).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only') })
  .meta({ id: 'SignInRequest' });

export const SignInResponse = z
  .object({
    token: z.string().meta({ description: 'An owner session token: send it as Authorization: Bearer and as socket.io auth.token' }),
    kind: z.literal('owner'),
    idle_timeout_seconds: z.number().meta({ description: 'The session ends after this long unused, or when the bridge stops' }),
  })
  .meta({ id: 'SignIn' });

export const SignInLinkResponse = z
  .object({
    url: z.string().meta({ description: '<base>/#signin=<nonce>: works once' }),
    expires_at: z.string(),
    expires_in: z.number().meta({ description: 'Seconds' }),
  })
  .meta({ id: 'SignInLink' });

export const SignOutResponse = z.object({ signed_out: z.boolean() }).meta({ id: 'SignOut' });

export type SignInResponse = z.infer<typeof SignInResponse>;
