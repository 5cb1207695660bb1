// Entry point: take secrets out of the address bar before anything else runs, pick the platform, render.
// Shared styles first: each view's own CSS (imported by the view) comes after and may refine them.
import './styles/base.css';
import './styles/layout.css';
import './styles/controls.css';
import './styles/surfaces.css';
import './styles/overlays.css';
import { createRoot } from 'react-dom/client';
import { StrictMode } from 'react';
import { takeSignInNonceFromUrl } from './api/credentials';
import { App } from './app/app';
import { detectPlatform } from './platform/host-platform';
import { registerServiceWorker } from './platform/service-worker';
import { refetchFailedStylesheets } from './platform/stylesheets';

/** /pair#<secret>: the one-time pairing secret, moved out of the URL (and history) at once. */
function takePairSecret(): string | null {
  if (window.location.pathname !== '/pair') return null;
  const secret = window.location.hash.slice(1) || null;
  if (window.location.hash) window.history.replaceState(null, '', '/pair');
  return secret;
}

refetchFailedStylesheets();
const signInNonce = takeSignInNonceFromUrl();
registerServiceWorker();
const pairSecret = takePairSecret();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App platform={detectPlatform()} signInNonce={signInNonce} pairSecret={pairSecret} />
  </StrictMode>,
);
