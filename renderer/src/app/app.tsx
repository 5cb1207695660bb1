// The app's top level: who is signed in (sign-in link, desktop shell, paired device, or nobody), the
// pairing page, and the views behind the shell.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { clearCredentials, loadCredentials, loadOwnerUser, saveCredentials, signInWithNonce, type Credentials } from '../api/credentials';
import type { HostPlatform } from '../platform/host-platform';
import { Icon } from '../ui/icons';
import { Loading } from '../ui/kit';
import { DevicesView } from '../views/devices/devices-view';
import { FilesView } from '../views/files/files-view';
import { ForwardsView } from '../views/forwards/forwards-view';
import { GpusView } from '../views/gpus/gpus-view';
import { OverviewView } from '../views/overview/overview-view';
import { JobsView } from '../views/jobs/jobs-view';
import { PairPage } from '../views/pair/pair-page';
import { SessionsView } from '../views/sessions/sessions-view';
import { VpnView } from '../views/vpn/vpn-view';
import { SignedIn } from './app-context';
import { navigate, useLocation } from './router';
import { Shell } from './shell';
import { TransportNotices, WorkstationUnreachable } from './transport-notices';
import { BrandMark } from '../ui/brand-mark';
import '../views/devices/pairing.css';

// xterm.js is most of the bundle: load it when a terminal is first opened.
const TerminalView = lazy(() => import('../views/terminal/terminal-view').then((m) => ({ default: m.TerminalView })));

type Auth = { phase: 'checking' } | { phase: 'in'; credentials: Credentials } | { phase: 'out'; reason: string | null };

function View({ path }: { path: string }) {
  switch (path) {
    case '/overview':
      return <OverviewView />;
    case '/sessions':
      return <SessionsView />;
    case '/terminal':
      return (
        <Suspense fallback={<Loading label="Loading the terminal…" />}>
          <TerminalView />
        </Suspense>
      );
    case '/files':
      return <FilesView />;
    case '/gpus':
      return <GpusView />;
    case '/jobs':
      return <JobsView />;
    case '/vpn':
      return <VpnView />;
    case '/devices':
      return <DevicesView />;
    case '/ports':
      return <ForwardsView />;
    default:
      return (
        <div className="page">
          <div className="card empty">
            <strong>Nothing here</strong>
            <div className="empty-body">
              <a href="/sessions" onClick={(e) => (e.preventDefault(), navigate('/sessions'))}>
                Go to your sessions
              </a>
            </div>
          </div>
        </div>
      );
  }
}

function SignedOut({ reason }: { reason: string | null }) {
  return (
    <main className="center-screen">
      <div className="center-card">
        <BrandMark size="large" />
        <h1>{reason ? 'Access ended' : 'Vigilink'}</h1>
        {reason && <p role="alert">{reason}</p>}
        <div className="signin-help">
          <div>
            <Icon name="phone" />
            <p>
              <strong>On a phone:</strong> on your workstation open Vigilink → Devices → <em>Pair a phone</em>, and scan the code with this phone’s camera.
            </p>
          </div>
          <div>
            <Icon name="terminal" />
            <p>
              <strong>On the workstation:</strong> open the sign-in link that <code>npm run serve</code> printed (<code>npm run signin</code> prints a new one), or the Vigilink desktop app.
            </p>
          </div>
        </div>
      </div>
    </main>
  );
}

/** The sign-in link's nonce works once: StrictMode's second effect run must not spend it again. */
let signingIn: Promise<Credentials> | null = null;

async function signedInCredentials(platform: HostPlatform, signInNonce: string | null): Promise<Auth> {
  if (signInNonce) {
    try {
      const session = await (signingIn ??= signInWithNonce(signInNonce));
      saveCredentials(session);
      return { phase: 'in', credentials: session };
    } catch (error) {
      return { phase: 'out', reason: error instanceof Error ? error.message : String(error) };
    }
  }
  // The desktop shell's owner token stays in memory: the preload hands it over again after a reload.
  const fromShell = await platform.ownerToken().catch(() => null);
  if (fromShell) return { phase: 'in', credentials: { kind: 'owner', token: fromShell } };
  const credentials = loadCredentials();
  return credentials ? { phase: 'in', credentials } : { phase: 'out', reason: null };
}

export function App({ platform, signInNonce, pairSecret }: { platform: HostPlatform; signInNonce: string | null; pairSecret: string | null }) {
  const { path } = useLocation();
  const [auth, setAuth] = useState<Auth>({ phase: 'checking' });

  const resolve = useCallback(async () => {
    setAuth(await signedInCredentials(platform, signInNonce));
  }, [platform, signInNonce]);

  useEffect(() => {
    if (path !== '/pair') void resolve();
  }, [resolve, path]);

  // The owner lands on the overview of every user; a phone on its own sessions.
  const landing = auth.phase === 'in' && auth.credentials.kind === 'owner' ? '/overview' : '/sessions';
  useEffect(() => {
    if (path === '/' && auth.phase === 'in') navigate(landing, { replace: true });
  }, [path, auth.phase, landing]);

  const signOut = useCallback((reason: string) => {
    clearCredentials();
    setAuth({ phase: 'out', reason });
  }, []);

  const paired = useCallback(() => {
    navigate('/sessions', { replace: true });
  }, []);

  return (
    <>
      <WorkstationUnreachable />
      {path === '/pair' ? (
        <PairPage secret={pairSecret} onPaired={paired} />
      ) : auth.phase === 'checking' ? (
        <Loading label="Starting…" />
      ) : auth.phase === 'out' ? (
        <SignedOut reason={auth.reason} />
      ) : (
        <SignedIn platform={platform} credentials={auth.credentials} ownerUser={loadOwnerUser()} onSignOut={signOut}>
          <Shell>
            <TransportNotices />
            <View path={path} />
          </Shell>
        </SignedIn>
      )}
    </>
  );
}
