import { replayPeak } from "../lib/replay-peak.js";
import type { Workload } from "../lib/workload.js";

const replay = replayPeak(100_000); // 200,001 events

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
    const { peakMb, baselineMb, ms } = await replay("node");
    return { value: peakMb, note: `${baselineMb.toFixed(0)} MB before loading; ${(ms / 1000).toFixed(1)} s` };
  },
};
export default replayMemory100k;
