import { fileURLToPath } from "node:url";
import { openBenchStore } from "../lib/bench-store.js";
import { runScriptChild } from "../lib/replay-child-command.js";
import type { Workload } from "../lib/workload.js";

const script = fileURLToPath(new URL("../lib/output-child.ts", import.meta.url));
/** Steps of each run, and the size of a large output (characters). */
export const steps = 20_000;
export const bytes = 10_240;

/** Runs the child once with outputs of `size` characters (0: no-op steps returning their number). */
export async function runOnce(size: number): Promise<{ peakMb: number; ms: number }> {
  const { path, dispose } = await openBenchStore("sqlite");
  try {
    return await runScriptChild<{ peakMb: number; ms: number }>(script, [path!, String(steps), String(size)]);
  } finally {
    await dispose();
  }
}

/**
 * A new execution of 20,000 sequential steps, each returning a fresh 10 KB string, on a SQLite
 * file, in a fresh plain-Node process: the process's peak RSS (MB; issue 14's target: under 150).
 * Its cost per step is the workload `large-outputs-cost`.
 */
const largeOutputs: Workload = {
  title: "20k steps with 10 KB outputs (releaseValuesOver 4096)",
  unit: "MB",
  target: { value: 150, better: "lower" },
  variants: ["sqlite"],
  warmups: 0,
  async measure() {
    const { peakMb, ms } = await runOnce(bytes);
    return { value: peakMb, note: `${((ms * 1000) / steps).toFixed(0)} µs/step` };
  },
};
export default largeOutputs;
