import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Vitest's global setup: builds dist/ (tsc, incremental: about 2 s when nothing changed, and
 * the dashboard with vite, about 1 s) before
 * any test runs, so the tests that run the `flux` command or pack the package test today's
 * sources. Type errors are printed but do not stop the run (tsc still emits, and the type
 * tests report them); a build that emits nothing does.
 */
export default function buildDist(): void {
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  const built = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: repo, encoding: "utf8" });
  if (built.error !== undefined) throw built.error;
  if (built.status !== 0) {
    const output = `${built.stdout}${built.stderr}`.trim();
    if (!/error TS/.test(output)) throw new Error(`npm run build failed (exit ${built.status}):\n${output}`);
    process.stderr.write(`build-dist: tsc reported type errors; dist/ was emitted anyway:\n${output}\n`);
  }
  // The dashboard `flux start` serves (dist/dashboard/), as npm run build makes it.
  const vite = fileURLToPath(new URL("../../node_modules/vite/bin/vite.js", import.meta.url));
  const dashboard = spawnSync(process.execPath, [vite, "build", "--config", "dashboard/vite.config.ts", "--logLevel", "warn"], { cwd: repo, encoding: "utf8" });
  if (dashboard.error !== undefined) throw dashboard.error;
  if (dashboard.status !== 0) throw new Error(`the dashboard's build failed (exit ${dashboard.status}):\n${dashboard.stdout}${dashboard.stderr}`);
}
