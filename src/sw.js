// Offline: the page's own files are cached on the first visit, so a reload with the network off still
// works. Network first, so a new version is picked up whenever the site can be reached; the cache only
// answers when it cannot. Only GETs of this origin are touched: log data never passes through here.
const CACHE = 'trailscope';
const FILES = [
  './', './index.html', './boot.js', './app.css',
  './page.js', './page_bg.wasm', './worker.js', './worker_bg.wasm',
  './tools.js', './tools_bg.wasm',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok) await cache.put(request, response.clone());
      return response;
    } catch (offline) {
      const cached = await cache.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw offline;
    }
  })());
});
