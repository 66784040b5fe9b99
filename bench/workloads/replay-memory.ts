import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { openBenchStore } from "../lib/bench-store.js";
import { plantHistory, recordHistory } from "../lib/recorded-history.js";
import type { Workload } from "../lib/workload.js";

const steps = 50_000; // 100,001 events
const history = recordHistory(steps);
const child = fileURLToPath(new URL("../lib/replay-child.ts", import.meta.url));
// Inside node_modules, so that the bundle's one external (better-sqlite3) resolves.
const bundleDir = fileURLToPath(new URL("../../node_modules/.cache/flux-bench/", import.meta.url));
let runs = 0;

/** The command that runs the replay child: through tsx (as `flux` loads a user's .ts file), or as plain JS bundled by esbuild. */
async function command(variant: string): Promise<string[]> {
  if (variant === "tsx") return ["--import", "tsx", child];
  mkdirSync(bundleDir, { recursive: true });
  const outfile = `${bundleDir}replay-child.mjs`;
  await build({ entryPoints: [child], outfile, bundle: true, platform: "node", format: "esm", external: ["better-sqlite3"], logLevel: "silent" });
  return [outfile];
}

/**
 * Peak RSS (MB) of a fresh Node process that opens a SQLite file holding one execution of
 * 100,001 events and replays it to the end: the whole process, runtime included. Variant
 * `tsx` loads the TypeScript sources through tsx, as the `flux` CLI did before it ran from
 * dist/ and still does for a user's .ts files (tsx alone costs ~30 MB); `node` runs the same
 * code as plain JavaScript (bundled by esbuild), as the CLI from dist/ does.
 */
const replayMemory: Workload = {
  title: "Peak RSS replaying 100k events",
  unit: "MB",
  target: { value: 150, better: "lower" },
  variants: ["tsx", "node"],
  warmups: 0,
  async measure(variant) {
    const recorded = await history;
    const { store, path, dispose } = await openBenchStore("sqlite");
    const executionId = `memory-${(runs += 1)}`;
    await plantHistory(store, recorded, executionId);
    await store.close();
    const args = [...(await command(variant)), path!, executionId, String(steps)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
    await dispose();
    const { peakMb, baselineMb } = JSON.parse(stdout.trim().split("\n").at(-1)!) as { peakMb: number; baselineMb: number };
    return { value: peakMb, note: `${baselineMb.toFixed(0)} MB of it before loading anything` };
  },
};
export default replayMemory;
