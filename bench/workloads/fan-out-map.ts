import { Engine, workflow } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { noop, secondsSince } from "../lib/noop.js";
import type { Workload } from "../lib/workload.js";

const tasks = 10_000;
const items = Array.from({ length: tasks }, (_, i) => i);
const fanOut = workflow("fan_out", async (ctx) => (await ctx.map(noop, items)).length);

/** A new execution whose one `ctx.map` runs 10,000 no-op tasks concurrently (group commit). */
const fanOutMap: Workload = {
  title: "ctx.map over 10,000 tasks",
  unit: "tasks/s",
  target: { value: 30_000, better: "higher", on: "sqlite" },
  variants: ["sqlite", "memory"],
  async measure(variant) {
    const { store, dispose } = await openBenchStore(variant as StoreKind);
    const engine = new Engine({ store });
    const start = performance.now();
    const ctx = await engine.run(fanOut, undefined);
    const seconds = secondsSince(start);
    if (ctx.output !== tasks) throw new Error(`the workflow ended ${ctx.state}: ${String(ctx.output)}`);
    await dispose();
    return tasks / seconds;
  },
};
export default fanOutMap;
