import { replayPeak } from "../lib/replay-peak.js";
import type { Workload } from "../lib/workload.js";

const replay = replayPeak(50_000); // 100,001 events

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
    const { peakMb, baselineMb } = await replay(variant === "tsx" ? "tsx" : "node");
    return { value: peakMb, note: `${baselineMb.toFixed(0)} MB of it before loading anything` };
  },
};
export default replayMemory;
