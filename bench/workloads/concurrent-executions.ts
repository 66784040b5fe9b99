import { helloWorld } from "../../examples/hello_world.js";
import { Engine } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { secondsSince } from "../lib/noop.js";
import type { Workload } from "../lib/workload.js";

const executions = 1_000;

/** 1,000 executions of `examples/hello_world.ts` started at once on one engine (group commit across executions). */
const concurrentExecutions: Workload = {
  title: "1,000 concurrent hello_world",
  unit: "executions/s",
  target: { value: 5_000, better: "higher", on: "sqlite" },
  variants: ["sqlite", "memory"],
  async measure(variant) {
    const { store, dispose } = await openBenchStore(variant as StoreKind);
    const engine = new Engine({ store });
    const start = performance.now();
    const runs = await Promise.all(Array.from({ length: executions }, (_, i) => engine.run(helloWorld, `World ${i}`)));
    const seconds = secondsSince(start);
    const failed = runs.find((ctx) => !ctx.succeeded);
    if (failed !== undefined) throw new Error(`an execution ended ${failed.state}: ${String(failed.output)}`);
    await dispose();
    return executions / seconds;
  },
};
export default concurrentExecutions;
