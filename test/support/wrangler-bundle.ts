import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repo } from "../cli-support.js";

/** Wrangler's environment for offline use: no metrics, no banner, no account look-ups. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
export const wrangler = join(repo, "node_modules", ".bin", "wrangler");
const config = readFileSync(join(repo, "wrangler.toml"), "utf8");
/** The D1 database id and compatibility date of the repository's wrangler.toml. */
export const databaseId = /database_id = "([^"]+)"/.exec(config)![1]!;
export const compatibilityDate = /compatibility_date = "([^"]+)"/.exec(config)![1]!;

/** The repository's Worker as `wrangler deploy` would upload it (bundled into `dir`/dist), as one module's text. */
export async function bundleWorker(dir: string): Promise<string> {
  await promisify(execFile)(wrangler, ["deploy", "--dry-run", "--outdir", join(dir, "dist")], { cwd: repo, env: wranglerEnv, timeout: 60_000 });
  return readFileSync(join(dir, "dist", "worker.js"), "utf8");
}
