import { Engine } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { plantHistory, recordHistory } from "../lib/recorded-history.js";
import type { Workload } from "../lib/workload.js";

const history = recordHistory(10_000);
let runs = 0;

/**
 * Resuming a crashed execution with 10,000 recorded steps (20,001 events): load from the store,
 * decode, index, replay every step from the log, record and commit the completion. Milliseconds.
 */
const replay: Workload = {
  title: "Replay 10,000 recorded steps",
  unit: "ms",
  target: { value: 100, better: "lower", on: "sqlite" },
  variants: ["sqlite", "memory"],
  async measure(variant) {
    const recorded = await history;
    const { store, dispose } = await openBenchStore(variant as StoreKind);
    const executionId = `replay-${(runs += 1)}`;
    await plantHistory(store, recorded, executionId);
    const engine = new Engine({ store });
    const start = performance.now();
    const ctx = await engine.run(recorded.flow, undefined, { executionId });
    const ms = performance.now() - start;
    if (ctx.output !== recorded.steps) throw new Error(`the replay ended ${ctx.state}: ${String(ctx.output)}`);
    await dispose();
    return ms;
  },
};
export default replay;
