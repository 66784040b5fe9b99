import { task, workflow } from "../../src/index.js";

/** The no-op step every throughput workload runs: it returns its argument. */
export const noop = task("noop", async (i: number) => i);

/** A workflow of `steps` sequential no-op steps (each awaited before the next starts). */
export function sequentialWorkflow(steps: number) {
  return workflow(`sequential_${steps}`, async (ctx) => {
    for (let i = 0; i < steps; i += 1) await ctx.run(noop, i);
    return steps;
  });
}

/** Seconds elapsed since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
