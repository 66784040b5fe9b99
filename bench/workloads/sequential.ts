import { Engine } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { secondsSince, sequentialWorkflow } from "../lib/noop.js";
import type { Workload } from "../lib/workload.js";

const steps = 10_000;
const flow = sequentialWorkflow(steps);

/** A new execution of 10,000 sequential no-op steps, each durable before the next starts. */
const sequential: Workload = {
  title: "Sequential, 10,000 steps",
  unit: "steps/s",
  target: { value: 2_000, better: "higher", on: "sqlite" },
  variants: ["sqlite", "memory"],
  perStep: true,
  async measure(variant) {
    const { store, dispose } = await openBenchStore(variant as StoreKind);
    const engine = new Engine({ store });
    const start = performance.now();
    const ctx = await engine.run(flow, undefined);
    const seconds = secondsSince(start);
    if (ctx.output !== steps) throw new Error(`the workflow ended ${ctx.state}: ${String(ctx.output)}`);
    await dispose();
    return steps / seconds;
  },
};
export default sequential;
