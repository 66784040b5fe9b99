import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import type { Workload } from "../lib/workload.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const quiet = { WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/**
 * The Worker as wrangler would upload it (`wrangler deploy --dry-run`, the repo's wrangler.toml:
 * engine, router, D1 store, example workflows; not minified, as wrangler's default), gzipped: KB.
 */
const workerSize: Workload = {
  title: "Worker bundle (wrangler, gzip)",
  unit: "KB",
  target: { value: 100, better: "lower" },
  variants: ["-"],
  runs: 1,
  warmups: 0,
  async measure() {
    const outdir = mkdtempSync(join(tmpdir(), "flux-worker-"));
    try {
      await promisify(execFile)(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], { cwd: root, env: { ...process.env, ...quiet } });
      const js = readdirSync(outdir).filter((file) => file.endsWith(".js")).map((file) => readFileSync(join(outdir, file)));
      const raw = Buffer.concat(js);
      return { value: gzipSync(raw).length / 1024, note: `${(raw.length / 1024).toFixed(0)} KB before gzip` };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
};
export default workerSize;
