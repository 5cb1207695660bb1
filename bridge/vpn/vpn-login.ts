// One login and start of a user's tunnel: `openconnect --authenticate` (questions the connect cannot answer
// go to the user as a prompt, the tunnel showing needs_answer meanwhile), then openconnect with the cookie.
import type { ContainerDriver } from './container-driver.js';
import type { LoginStep, TunnelRecord } from './tunnel-record.js';
import type { TunnelBoundary } from './tunnel-supervisor.js';
import { authenticate, type AskedForm } from './vpn-auth.js';
import type { VpnPrompts } from './vpn-prompts.js';
import { readFailure, startTunnel, type StartedTunnel } from './vpn-tunnel.js';

export interface LoginTarget {
  userId: string;
  containerId: string;
  tunnel: TunnelRecord;
  /** The password from the connect (kept for auto-reconnect); '' when none was given. */
  password: string;
  /** An auto-reconnect rather than a connect the user just asked for. */
  reconnect: boolean;
}

export interface LoginDeps {
  driver: ContainerDriver;
  prompts: VpnPrompts;
  connectTimeoutMs: number;
}

/** The tunnels as they really are: openconnect in the user's container. */
export function openconnectTunnels(deps: LoginDeps): TunnelBoundary {
  return {
    start: (target, step) => loginAndStart(deps, target, step),
    readFailure: (containerId, attempt) => readFailure(deps.driver, containerId, attempt, 'openconnect exited'),
  };
}

const serverName = (server: string): string => {
  try {
    return new URL(server.includes('://') ? server : `https://${server}`).host;
  } catch {
    return server;
  }
};

/** A failed login looks like a start that failed before openconnect ran (no attempt of its own); `reportStep` hears each step the user sees. */
async function loginAndStart(deps: LoginDeps, target: LoginTarget, reportStep: (step: LoginStep) => void): Promise<StartedTunnel> {
  const { tunnel, userId } = target;
  const ask = async (form: AskedForm, loginEnd: AbortSignal): Promise<Map<string, string>> => {
    reportStep('needs_answer');
    try {
      return await deps.prompts.ask(
        {
          user_id: userId,
          server: tunnel.request.server,
          title: `Sign in to ${serverName(tunnel.request.server)}`,
          message: form.message,
          fields: form.fields,
          reconnect: target.reconnect,
        },
        loginEnd,
      );
    } finally {
      reportStep('authenticating');
    }
  };
  reportStep('authenticating');
  const auth = await authenticate(deps.driver, target.containerId, {
    request: tunnel.request,
    password: target.password,
    ask,
    silenceTimeoutMs: deps.connectTimeoutMs,
  });
  if (!auth.ok) return { attempt: tunnel.attempt ?? '', outcome: auth, exited: Promise.resolve() };
  reportStep('connecting');
  return startTunnel(deps.driver, target.containerId, tunnel.request, auth, deps.connectTimeoutMs);
}
