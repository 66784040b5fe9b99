import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../adapters/sqlite/index.js";
import buildDist from "../../test/support/build-dist.js";
import { plantHistory, recordHistory } from "../lib/recorded-history.js";
import type { Variant, Workload } from "../lib/workload.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const steps = 100_000;
const history = recordHistory(steps);
let built = false;

const workflowSource = (typed: boolean) => `import { task, workflow } from "flux-ts";
export const noop = task("noop", async (i${typed ? ": number" : ""}) => i);
export const sequential = workflow("sequential_${steps}", async (ctx) => {
  for (let i = 0; i < ${steps}; i += 1) await ctx.run(noop, i);
  return ${steps};
});
`;

// Preloaded into the flux process: writes its peak RSS (MB) where PEAK_FILE says, as it exits.
const peakReporter = `import { writeFileSync } from "node:fs";
process.on("exit", () => writeFileSync(process.env.PEAK_FILE, String(process.resourceUsage().maxRSS / 1024)));
`;

/**
 * Peak RSS (MB) of `flux exec FILE sequential_100000 --execution-id ID` resuming an execution of
 * 100,000 recorded no-op steps (its process died after the last one) from the project's
 * .flux/flux.db, to its end: the whole CLI process, its start-up included, in a user's project
 * (node_modules/flux-ts links to this repository's dist/). The workflow file is JavaScript (no
 * transpiler) or TypeScript (compiled by sucrase, the CLI's default). Issue 14's target: under
 * 120 MB.
 */
const execReplayMemory: Workload = {
  title: "Peak RSS of flux exec resuming 100k steps",
  unit: "MB",
  target: { value: 120, better: "lower" },
  variants: ["workflow.mjs", "workflow.ts"],
  warmups: 0,
  async measure(variant: Variant) {
    if (!built) {
      buildDist();
      built = true;
    }
    const dir = mkdtempSync(join(tmpdir(), "flux-exec-memory-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(root, join(dir, "node_modules", "flux-ts"), "dir");
      writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
      writeFileSync(join(dir, variant), workflowSource(variant.endsWith(".ts")));
      writeFileSync(join(dir, "peak.mjs"), peakReporter);
      mkdirSync(join(dir, ".flux"));
      const store = await new SqliteStore(join(dir, ".flux", "flux.db")).ready();
      await plantHistory(store, await history, "resumed");
      await store.close();
      const bin = join(dir, "node_modules", "flux-ts", "bin", "flux.js");
      const peakFile = join(dir, "peak");
      const start = performance.now();
      const ran = spawnSync(process.execPath, ["--import", "./peak.mjs", bin, "exec", variant, `sequential_${steps}`, "--execution-id", "resumed", "--json"], {
        cwd: dir, env: { ...process.env, PEAK_FILE: peakFile }, encoding: "utf8", maxBuffer: 1 << 24,
      });
      const ms = performance.now() - start;
      if (ran.status !== 0) throw new Error(`flux exec exited ${ran.status}: ${ran.stderr}`);
      const answer = JSON.parse(ran.stdout) as { state: string; output: unknown };
      if (answer.state !== "succeeded" || answer.output !== steps) throw new Error(`flux exec ended ${answer.state}: ${JSON.stringify(answer.output)}`);
      return { value: Number(readFileSync(peakFile, "utf8")), note: `${(ms / 1000).toFixed(1)} s` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default execReplayMemory;
