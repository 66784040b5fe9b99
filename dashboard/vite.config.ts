import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * The dashboard that `flux start` (and a Worker) serve at `/`: a static page built into the
 * package's dist/dashboard/ (npm run build). Relative asset URLs (`base: "./"`), so it works
 * wherever the API is mounted; every asset a file of its own and nothing from a CDN, so it
 * works offline.
 */
export default defineConfig({
  root: here,
  base: "./",
  resolve: {
    // The core only (no default store): the page reads everything through the HTTP API.
    alias: [{ find: /^flux-ts$/, replacement: `${here}../src/index.ts` }],
  },
  build: {
    outDir: `${here}../dist/dashboard`,
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { host: "127.0.0.1" },
});
