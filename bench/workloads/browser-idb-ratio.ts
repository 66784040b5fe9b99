import { closePage, chromiumUnavailable, inPage } from "../browser/page-session.js";
import type { Workload } from "../lib/workload.js";

const steps = 1_000;

/**
 * The browser figure as a ratio measured where it is taken: each sample runs the strict floor
 * (1,000 one-put transactions, `durability: "strict"`), then the variant, then the floor again,
 * in the same page, and is the variant's rate over the mean of the two floors around it. On a
 * shared machine whose load moves the floor by 2× from one minute to the next, this is the
 * figure to compare across runs; the note gives the rates it came from.
 */
const browserIdbRatio: Workload = {
  title: "Browser: 1,000 steps ÷ strict floor, interleaved",
  unit: "× floor",
  target: { value: 0.8, better: "higher", on: "idb" },
  variants: ["idb", "store alone: 1 commit/step"],
  async unavailable() {
    return chromiumUnavailable();
  },
  async measure(variant) {
    const before = await inPage("floor", steps, "strict");
    const rate = variant === "idb" ? await inPage("sequential", steps) : await inPage("commits", steps);
    const after = await inPage("floor", steps, "strict");
    const floor = (before + after) / 2;
    return { value: rate / floor, note: `${Math.round(rate)}/s between floors of ${Math.round(before)} and ${Math.round(after)} txn/s` };
  },
  teardown: closePage,
};
export default browserIdbRatio;
