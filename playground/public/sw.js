// The playground's service worker: it makes a reload work offline. Network first, so an online
// page is always the deployed one; when the network fails, the copy of the last successful
// response is served. The page tells it which files to keep once it has loaded them all
// (its own entry, styles and the lazily loaded compiler chunk).
const CACHE = "flux-playground-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const urls = event.data?.type === "keep" && Array.isArray(event.data.urls) ? event.data.urls : [];
  const own = urls.filter((url) => new URL(url).origin === self.location.origin);
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(own)).catch(() => undefined));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).then(
      (response) => {
        if (response.ok && response.type === "basic") {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request.url.split("?")[0], copy)));
        }
        return response;
      },
      // ignoreVary: a server that answers "Vary: Origin" (vite preview does) would otherwise never
      // match the module scripts and styles, which are requested with an Origin (crossorigin).
      async () => (await caches.match(request, { ignoreSearch: true, ignoreVary: true })) ?? Response.error(),
    ),
  );
});
