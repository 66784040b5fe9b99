import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
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

/** The command that runs the replay child: through tsx (as `flux` loads a user's .ts file), or as plain JS bundled by esbuild. */
async function command(loader: "tsx" | "node"): Promise<string[]> {
  if (loader === "tsx") return ["--import", "tsx", child];
  mkdirSync(bundleDir, { recursive: true });
  const outfile = `${bundleDir}replay-child.mjs`;
  await build({ entryPoints: [child], outfile, bundle: true, platform: "node", format: "esm", external: ["better-sqlite3"], logLevel: "silent" });
  return [outfile];
}

/** Replays `executionId` (`steps` no-op steps) from the SQLite file `path` in a fresh Node process, and says what it measured. */
export async function replayInChild(loader: "tsx" | "node", path: string, executionId: string, steps: number): Promise<ReplayChildReport> {
  const args = [...(await command(loader)), path, executionId, String(steps)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as ReplayChildReport;
}
