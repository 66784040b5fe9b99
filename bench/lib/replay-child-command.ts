import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";

const child = fileURLToPath(new URL("./replay-child.ts", import.meta.url));
// Inside node_modules, so that the bundle's one external (better-sqlite3) resolves.
const bundleDir = fileURLToPath(new URL("../../node_modules/.cache/flux-bench/", import.meta.url));

/** What `replay-child.ts` prints: peak and starting RSS (MB), and the time to open the store and replay (ms). */
export interface ReplayChildReport {
  readonly peakMb: number;
  readonly baselineMb: number;
  readonly ms: number;
}

/** The command that runs a child script: through tsx (as `flux` loads a user's .ts file), or as plain JS bundled by esbuild. */
async function command(loader: "tsx" | "node", script = child): Promise<string[]> {
  if (loader === "tsx") return ["--import", "tsx", script];
  mkdirSync(bundleDir, { recursive: true });
  const outfile = `${bundleDir}${basename(script, ".ts")}.mjs`;
  await build({ entryPoints: [script], outfile, bundle: true, platform: "node", format: "esm", external: ["better-sqlite3"], logLevel: "silent" });
  return [outfile];
}

/** Runs the bench child script `script` (a .ts file) as plain Node JS with `args`, and parses the JSON of its last line. */
export async function runScriptChild<T>(script: string, args: readonly string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [...(await command("node", script)), ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

/** Replays `executionId` (`steps` no-op steps) from the SQLite file `path` in a fresh Node process, and says what it measured. */
export async function replayInChild(loader: "tsx" | "node", path: string, executionId: string, steps: number): Promise<ReplayChildReport> {
  const args = [...(await command(loader)), path, executionId, String(steps)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as ReplayChildReport;
}
