import { Engine } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { plantHistory, recordHistory, type RecordedHistory } from "../lib/recorded-history.js";
import { summarize } from "../lib/stats.js";
import type { Workload } from "../lib/workload.js";

// 500 steps make 1,001 events; 50,000 steps make 100,001.
const small = recordHistory(500);
const large = recordHistory(50_000);
let runs = 0;

/** Microseconds per replayed step of `history` on a fresh store of `kind` (load, decode, index, replay, final commit). */
async function perStep(kind: StoreKind, history: RecordedHistory): Promise<number> {
  const { store, dispose } = await openBenchStore(kind);
  const executionId = `scaling-${(runs += 1)}`;
  await plantHistory(store, history, executionId);
  const engine = new Engine({ store });
  const start = performance.now();
  const ctx = await engine.run(history.flow, undefined, { executionId });
  const us = ((performance.now() - start) * 1000) / history.steps;
  if (ctx.output !== history.steps) throw new Error(`the replay ended ${ctx.state}: ${String(ctx.output)}`);
  await dispose();
  return us;
}

/**
 * The per-step cost of replaying 100,000 recorded events divided by that of replaying 1,000: 1.0
 * is linear; a quadratic path anywhere (lookup, commit, events) would make it ~100. Both sizes
 * are measured in each sample, in the same process: the small one 5 times (its median), then the large one.
 */
const replayScaling: Workload = {
  title: "Replay per-step cost, 100k ÷ 1k events",
  unit: "ratio",
  target: { value: 1.5, better: "lower", on: "sqlite" },
  variants: ["sqlite", "memory"],
  async measure(variant) {
    const kind = variant as StoreKind;
    const [a, b] = await Promise.all([small, large]);
    const smallRuns: number[] = [];
    for (let i = 0; i < 5; i += 1) smallRuns.push(await perStep(kind, a));
    const smallCost = summarize(smallRuns).median;
    const largeCost = await perStep(kind, b);
    return { value: largeCost / smallCost, note: `${smallCost.toFixed(2)} µs/step at 1k events, ${largeCost.toFixed(2)} µs at 100k` };
  },
};
export default replayScaling;
