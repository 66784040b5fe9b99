import type { Workload } from "../lib/workload.js";
import { bytes, runOnce, steps } from "./large-outputs.js";

/**
 * The time per step of a run of 20,000 steps returning fresh 10 KB strings over that of the same
 * run with no-op steps, both fresh plain-Node processes on a new SQLite file, run one right after
 * the other in each sample (interleaved, so the machine's load colours both). Issue 14's target:
 * within 1.3×.
 */
const largeOutputsCost: Workload = {
  title: "10 KB output step vs no-op step",
  unit: "×",
  target: { value: 1.3, better: "lower" },
  variants: ["sqlite"],
  warmups: 0,
  async measure() {
    const noop = await runOnce(0);
    const large = await runOnce(bytes);
    return { value: large.ms / noop.ms, note: `${((large.ms * 1000) / steps).toFixed(0)} vs ${((noop.ms * 1000) / steps).toFixed(0)} µs/step` };
  },
};
export default largeOutputsCost;
