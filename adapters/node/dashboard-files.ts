import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { assetResponse, type DashboardAssets } from "../../src/http/dashboard-assets.js";

/** Where the built dashboard is: dist/dashboard/ of the package (this file runs as dist/adapters/node/dashboard-files.js). */
export const dashboardDir = fileURLToPath(new URL("../../dashboard/", import.meta.url));

/**
 * The dashboard's files from `dir` (default: the package's dist/dashboard/, built by `npm run
 * build`), or `undefined` when it was not built there. Only `index.html` and files directly
 * under `assets/` are served: a name with a slash or `..` is no file of ours.
 */
export function nodeDashboard(dir = dashboardDir): DashboardAssets | undefined {
  if (!existsSync(`${dir}index.html`)) return undefined;
  return {
    async get(path) {
      if (path !== "index.html" && !/^assets\/[\w.-]+$/.test(path)) return undefined;
      if (path.includes("..")) return undefined;
      try {
        return assetResponse(path, new Uint8Array(await readFile(`${dir}${path}`)));
      } catch {
        return undefined;
      }
    },
  };
}
