import { openBenchStore } from "../lib/bench-store.js";
import { plantHistory, recordHistory } from "../lib/recorded-history.js";
import { replayInChild } from "../lib/replay-child-command.js";
import type { Workload } from "../lib/workload.js";

const steps = 100_000; // 200,001 events
const history = recordHistory(steps);
let runs = 0;

/**
 * Peak RSS (MB) of a fresh plain-Node process (the code bundled by esbuild, as the CLI from
 * dist/ runs it) that opens a SQLite file holding one execution of 100,000 no-op steps and
 * replays it to the end: the whole process, the runtime's ~43 MB included (the note says how
 * much of it was there before loading anything). Issue 14's target: under 100 MB.
 */
const replayMemory100k: Workload = {
  title: "Peak RSS replaying 100k steps",
  unit: "MB",
  target: { value: 100, better: "lower" },
  variants: ["node"],
  warmups: 0,
  async measure() {
    const recorded = await history;
    const { store, path, dispose } = await openBenchStore("sqlite");
    const executionId = `memory-${(runs += 1)}`;
    await plantHistory(store, recorded, executionId);
    await store.close();
    const { peakMb, baselineMb, ms } = await replayInChild("node", path!, executionId, steps);
    await dispose();
    return { value: peakMb, note: `${baselineMb.toFixed(0)} MB before loading; ${(ms / 1000).toFixed(1)} s` };
  },
};
export default replayMemory100k;
