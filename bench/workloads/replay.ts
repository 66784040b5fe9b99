import { Engine } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { plantHistory, recordHistory } from "../lib/recorded-history.js";
import { replayInChild } from "../lib/replay-child-command.js";
import type { Workload } from "../lib/workload.js";

const history = recordHistory(10_000);
let runs = 0;
const cold = "sqlite, cold";

/**
 * Resuming a crashed execution with 10,000 recorded steps (20,001 events): load from the store,
 * decode, index, replay every step from the log, record and commit the completion. Milliseconds.
 *
 * `sqlite` and `memory` are warm: the same process replays one execution after another, its JIT
 * already trained by the warm-up. `sqlite, cold` is what a restart pays: a fresh Node process
 * (the engine bundled as plain JavaScript, as dist/ runs) opens the file and replays, timed inside
 * it from before the store is opened to the run's end (Node's own start-up not counted).
 */
const replay: Workload = {
  title: "Replay 10,000 recorded steps",
  unit: "ms",
  target: { value: 100, better: "lower", on: "sqlite" },
  variants: ["sqlite", "memory", cold],
  async measure(variant) {
    const recorded = await history;
    const { store, path, dispose } = await openBenchStore(variant === "memory" ? "memory" : "sqlite" as StoreKind);
    const executionId = `replay-${(runs += 1)}`;
    await plantHistory(store, recorded, executionId);
    if (variant === cold) {
      await store.close();
      const { ms } = await replayInChild("node", path!, executionId, recorded.steps);
      await dispose();
      return ms;
    }
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
