// The service worker (public/sw.js) on HTTPS: it makes the app installable and opens the shell offline.
// Notifications go through it where it runs, since Android's Chrome shows them only from a worker.

/** Register /sw.js over HTTPS only (a plain-http LAN page is no secure context; loopback needs none). */
export function registerServiceWorker(): void {
  if (window.location.protocol !== 'https:' || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // Without it the app still works online; only the offline shell and installing are lost.
  });
}

/** Show a notification where the person allowed them: through the worker when it runs, else directly. */
export async function showNotification(title: string, body: string): Promise<void> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const options = { body, icon: '/icons/icon-192.png', badge: '/icons/icon-192.png' };
  const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  if (registration?.active) {
    await registration.showNotification(title, options);
    return;
  }
  new Notification(title, options);
}
