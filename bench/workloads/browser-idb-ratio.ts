import { closePage, chromiumUnavailable, inPage } from "../browser/page-session.js";
import type { Workload } from "../lib/workload.js";

const steps = 1_000;

/**
 * The browser figure as a ratio measured where it is taken: each sample runs, in the same page,
 * a block of the strict floor (1,000 one-put transactions, `durability: "strict"`), a block of
 * the variant, and a floor block again, and is the variant block's rate over the mean of the
 * floor blocks around it. A block is three runs in a row, the first not timed, the rate the
 * mean of the other two: every timed run follows a run of its own kind. (Single runs, floor –
 * variant – floor, read about 0.1 higher on the same machine the same hour; bench/README.md.)
 * On a shared machine whose load moves the floor by 2× from one minute to the next, this is the
 * figure to compare across runs; the note gives the rates it came from.
 *
 * The two raw variants are the ceiling under the store, in raw IndexedDB with no store code:
 * the three requests a checked commit needs (read the summary, add the step's events, put the
 * summary back), and the add alone. In Chromium each request of a transaction costs work of its
 * own in the browser process, so a commit that checks where the log ends runs below the one-put
 * floor however little JavaScript surrounds it.
 */
const browserIdbRatio: Workload = {
  title: "Browser: 1,000 steps ÷ strict floor, in blocks",
  unit: "× floor",
  target: { value: 0.8, better: "higher", on: "idb" },
  variants: ["idb", "store alone: 1 commit/step", "raw checked commit: get + add + put", "raw add alone"],
  async unavailable() {
    return chromiumUnavailable();
  },
  async measure(variant) {
    const block = async (run: () => Promise<number>) => {
      await run();
      return ((await run()) + (await run())) / 2;
    };
    const floor = () => block(() => inPage("floor", steps, "strict"));
    const before = await floor();
    const rate = await block(() => {
      if (variant === "idb") return inPage("sequential", steps);
      if (variant === "store alone: 1 commit/step") return inPage("commits", steps);
      return inPage("checkedFloor", steps, variant === "raw add alone" ? 1 : 3);
    });
    const after = await floor();
    return { value: rate / ((before + after) / 2), note: `${Math.round(rate)}/s between floors of ${Math.round(before)} and ${Math.round(after)} txn/s` };
  },
  teardown: closePage,
};
export default browserIdbRatio;
