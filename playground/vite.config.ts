import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * The playground: a static app (no server at run time). `base: "./"` makes every asset URL
 * relative, so the built folder works from any static host and any sub-path, even file-less
 * hosts that serve it under /some/prefix/.
 */
export default defineConfig({
  root: here,
  base: "./",
  resolve: {
    // The page imports the package by its name, as a browser user does: its browser entry
    // (the core from src/, default engine on IndexedDB), from source.
    alias: [{ find: /^flux-ts$/, replacement: `${here}../adapters/browser/index.ts` }],
  },
  build: {
    outDir: `${here}dist`,
    emptyOutDir: true,
    target: "es2022",
    // Every asset is a file of its own: nothing inlined as data: URLs, nothing fetched elsewhere.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  server: { host: "127.0.0.1" },
});
