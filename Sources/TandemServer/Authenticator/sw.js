// The web authenticator's service worker (decision 0024).
// - Offline shell: the app's files are cached at install under this version's name; the page is
//   fetched from the network first (so a new version shows at once) and from the cache when
//   offline; versioned files come from the cache. The device API is never cached.
// - push: a Web Push message carries the request id only ({"type":"request","challengeId":…});
//   the notification says no more than that a sign-in waits. The app fetches the request itself.
// - notificationclick: opens (or focuses) the app on that request: /authenticator/#request=<id>.
const VERSION = '@VERSION@';
const CACHE = `tandem-authenticator-${VERSION}`;
const ASSETS = [
  'api.js', 'app.css', 'app.js', 'bytes.js', 'channel.js', 'device-key.js', 'icon-192.png', 'icon-512.png', 'icon.svg',
  'passkey.js', 'push.js', 'signed-bytes.js', 'store.js', 'totp.js', 'ui.js',
];
const SCOPE = new URL('./', self.location.href);
const SHELL = [SCOPE.href, new URL('manifest.webmanifest', SCOPE).href, ...ASSETS.map((name) => new URL(`v/${VERSION}/${name}`, SCOPE).href)];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('tandem-authenticator-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  if (url.pathname.startsWith(`${SCOPE.pathname}v/`)) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
    return;
  }
  // The page, the manifest: network first, the cached shell when offline.
  event.respondWith((async () => {
    try {
      return await fetch(event.request);
    } catch (error) {
      const page = event.request.mode === 'navigate' ? SCOPE.href : url.href.split('#')[0];
      const hit = await caches.match(page, { ignoreSearch: true });
      if (hit) return hit;
      throw error;
    }
  })());
});

self.addEventListener('push', (event) => {
  let message = null;
  try { message = event.data ? event.data.json() : null; } catch { message = null; }
  const challengeId = message && message.type === 'request' && typeof message.challengeId === 'string'
    && /^[A-Za-z0-9_-]{1,128}$/.test(message.challengeId) ? message.challengeId : null;
  event.waitUntil((async () => {
    // Open windows fetch the request at once.
    for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'push', challengeId });
    // A push must always show a notification (userVisibleOnly); it names nothing but a sign-in.
    await self.registration.showNotification('Sign-in request — open to respond', {
      tag: challengeId ? `request-${challengeId}` : 'request',
      data: { challengeId },
      icon: new URL(`v/${VERSION}/icon-192.png`, SCOPE).href,
      badge: new URL(`v/${VERSION}/icon-192.png`, SCOPE).href,
      requireInteraction: true,
      renotify: true,
    });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const challengeId = event.notification.data && event.notification.data.challengeId;
  const target = new URL(challengeId ? `./#request=${encodeURIComponent(challengeId)}` : './', SCOPE).href;
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
      if (client.url.startsWith(SCOPE.href) && 'focus' in client) {
        await client.focus();
        client.postMessage({ type: 'open-request', challengeId });
        return;
      }
    }
    await self.clients.openWindow(target);
  })());
});
