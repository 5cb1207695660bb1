// Vigilink's service worker: keeps the app shell (index.html, its hashed bundles, manifest, icons) so the
// app opens offline and says it cannot reach the workstation. API answers, sockets, /trust and anything
// sent with a token are never cached: they go to the network or fail.
const CACHE = 'vigilink-shell-v1';
const STATIC = ['/', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];
const NEVER_CACHED = [/^\/api\//, /^\/ssh\//, /^\/vpn\//, /^\/socket\.io\//, /^\/trust/, /^\/healthz/, /^\/docs/, /^\/openapi\.json/];

/** The hashed bundles an index.html names. */
function bundlesOf(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

/** The shell: the static files plus the bundles index.html names (they are hashed, so cached for good). */
async function cacheShell() {
  const cache = await caches.open(CACHE);
  const index = await fetch('/', { cache: 'no-store' });
  const html = await index.clone().text();
  await cache.put('/', index);
  await cache.addAll([...STATIC.slice(1), ...bundlesOf(html)]);
}

/** A newer index.html: keep it, and drop the entry bundles of the UI it replaced (lazy chunks come back on use). */
async function keepIndex(response) {
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  await cache.put('/', response);
  const current = new Set(bundlesOf(html));
  const previous = await cache.keys();
  await Promise.all(
    previous
      .filter((request) => new URL(request.url).pathname.startsWith('/assets/') && !current.has(new URL(request.url).pathname))
      .map((request) => cache.delete(request)),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

function cacheable(request, url) {
  return (
    request.method === 'GET' &&
    url.origin === self.location.origin &&
    !request.headers.has('authorization') &&
    !NEVER_CACHED.some((pattern) => pattern.test(url.pathname))
  );
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (!cacheable(request, url)) return;
  if (request.mode === 'navigate') {
    // Network first, so a new UI is picked up at once; the cached shell when the workstation is away.
    event.respondWith(
      fetch(request).then(
        (response) => {
          if (response.ok && response.headers.get('content-type')?.startsWith('text/html')) void keepIndex(response.clone());
          return response;
        },
        () => caches.match('/').then((cached) => cached ?? Response.error()),
      ),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then(
      (cached) =>
        cached ??
        fetch(request).then((response) => {
          if (response.ok && url.pathname.startsWith('/assets/')) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        }),
    ),
  );
});

// A tap on a notification (GPU alert, new pairing) brings the app forward.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((windows) => (windows[0] ? windows[0].focus() : self.clients.openWindow('/'))),
  );
});
