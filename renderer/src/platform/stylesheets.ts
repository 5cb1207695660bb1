// The app's stylesheet, fetched again when the network dropped it: Chromium fails requests in flight with
// ERR_NETWORK_CHANGED when the device's addresses change (a phone between networks; the workstation when
// Docker adds a user's VPN network), and a page whose stylesheet failed stays unstyled and unusable.

const RETRY_DELAYS_MS = [250, 1000, 3000];

/** Module scripts run once the head's stylesheets have loaded or failed; a failed one has no rules (ours are never empty). */
export function refetchFailedStylesheets(doc: Document = document): void {
  for (const link of doc.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')) {
    if (new URL(link.href).origin === window.location.origin && ruleCount(link) === 0) retry(link, 0);
  }
}

function ruleCount(link: HTMLLinkElement): number {
  try {
    return link.sheet?.cssRules.length ?? 0;
  } catch {
    // Chromium refuses to read the rules of a sheet whose load failed.
    return 0;
  }
}

function retry(failed: HTMLLinkElement, attempt: number): void {
  if (attempt >= RETRY_DELAYS_MS.length) return;
  window.setTimeout(() => {
    const again = failed.cloneNode() as HTMLLinkElement;
    // A new URL, so that nothing answers from the failed attempt; the server ignores the query.
    const url = new URL(failed.href);
    url.searchParams.set('retry', String(attempt + 1));
    again.href = url.href;
    again.addEventListener('error', () => retry(again, attempt + 1), { once: true });
    again.addEventListener('load', () => (ruleCount(again) === 0 ? retry(again, attempt + 1) : failed.remove()), { once: true });
    failed.after(again);
  }, RETRY_DELAYS_MS[attempt]);
}
