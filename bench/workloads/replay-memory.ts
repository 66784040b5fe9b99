import { openBenchStore } from "../lib/bench-store.js";
import { plantHistory, recordHistory } from "../lib/recorded-history.js";
import { replayInChild } from "../lib/replay-child-command.js";
import type { Workload } from "../lib/workload.js";

const steps = 50_000; // 100,001 events
const history = recordHistory(steps);
let runs = 0;

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
    const { peakMb, baselineMb } = await replayInChild(variant === "tsx" ? "tsx" : "node", path!, executionId, steps);
    await dispose();
    return { value: peakMb, note: `${baselineMb.toFixed(0)} MB of it before loading anything` };
  },
};
export default replayMemory;
