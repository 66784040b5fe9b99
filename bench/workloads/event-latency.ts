import { Engine, workflow } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { oneRowTransactionsMs } from "../lib/one-row-transactions.js";
import type { Workload } from "../lib/workload.js";

const rounds = 200;

/**
 * The time from `engine.sendEvent` to the workflow running again, in one process: one execution
 * at a time suspends on `ctx.waitForEvent("go")` (its run ended, its lease given up); the clock
 * starts just before `sendEvent` and stops when the workflow's code after the wait runs. In
 * between: the delivery (one durable transaction), the wake (the lease claim, one more), the
 * replay up to the wait, and the commit of EVENT_RECEIVED (a third), before the wait returns.
 * 200 rounds a sample; the figure is their p50, the note gives p95 and the floor measured in the
 * same sample: three one-row durable transactions in a row.
 */
const eventLatency: Workload = {
  title: "sendEvent → workflow runs again",
  unit: "ms (p50)",
  target: { value: 5, better: "lower", on: "sqlite" },
  variants: ["sqlite", "memory"],
  async measure(variant) {
    const { store, dispose } = await openBenchStore(variant as StoreKind);
    let woke: (at: number) => void = () => {};
    const waiter = workflow("bench_event_latency", async (ctx) => {
      const value = await ctx.waitForEvent<number>("go");
      woke(performance.now());
      return value;
    });
    const engine = new Engine({ store, workflows: [waiter] });
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const id = `latency-${round}`;
      const first = await engine.run(waiter, undefined, { executionId: id });
      if (!first.paused) throw new Error(`execution ${id} did not suspend on its wait: ${first.state}`);
      const ran = new Promise<number>((resolve) => (woke = resolve));
      const start = performance.now();
      await engine.sendEvent(id, "go", round);
      latencies.push((await ran) - start);
      for (let i = 0; i < 50 && (await store.get(id))?.state !== "succeeded"; i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await engine.close();
    await dispose();
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    const floor = variant === "sqlite" ? oneRowTransactionsMs(3 * rounds) / rounds : undefined;
    const note = `p95 ${at(0.95).toFixed(2)} ms, max ${at(1).toFixed(1)} ms`
      + (floor === undefined ? "" : `; floor (3 one-row txns) ${floor.toFixed(2)} ms, p50 = ${(at(0.5) / floor).toFixed(2)}× it`);
    return { value: at(0.5), note };
  },
};
export default eventLatency;
