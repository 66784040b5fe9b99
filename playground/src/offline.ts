/**
 * Registers the service worker (public/sw.js) that lets the page reload without a network, and
 * asks it to keep every same-origin file the page has loaded so far: call it once the lazily
 * loaded parts (the compiler) are in. Only in a build: the dev server's modules change on every
 * edit. Does nothing where service workers are unavailable (an insecure origin, a file: URL).
 */
export async function keepForOffline(): Promise<void> {
  // import.meta.hot exists only under the dev server (env.PROD follows NODE_ENV, which a test runner sets).
  if (import.meta.hot !== undefined || !("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("./sw.js");
    const registration = await navigator.serviceWorker.ready;
    const files = performance.getEntriesByType("resource").map((entry) => entry.name);
    const urls = [location.href.split("#")[0]!, ...files].filter((url) => new URL(url).origin === location.origin);
    registration.active?.postMessage({ type: "keep", urls: [...new Set(urls)] });
  } catch {
    // Offline reloads are a convenience: the page works online without them.
  }
}
