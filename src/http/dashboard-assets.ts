/**
 * Where the router finds the dashboard's built files (vite's output: `index.html` and
 * `assets/*`). `flux start` reads them from the package's `dist/dashboard/`; a Worker from its
 * static assets binding. They hold no data: the page asks the API (and its token) for that.
 */
export interface DashboardAssets {
  /** The file at `path` (`index.html`, `assets/index-1a2b.js`), or `undefined` when there is none. */
  get(path: string): Promise<Response | undefined>;
}

const types: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8",
  svg: "image/svg+xml", png: "image/png", json: "application/json", map: "application/json", woff2: "font/woff2", ico: "image/x-icon",
};

/** The `Content-Type` of a file by its extension (`application/octet-stream` when unknown). */
export function contentType(path: string): string {
  return types[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";
}

/**
 * A file's answer: `index.html` is never cached (it names the current build's files); the files
 * under `assets/` carry a content hash in their names, so they are cached for good.
 */
export function assetResponse(path: string, body: Uint8Array<ArrayBuffer> | string): Response {
  const cache = path.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
  return new Response(body, { headers: { "Content-Type": contentType(path), "Cache-Control": cache, "X-Content-Type-Options": "nosniff" } });
}
