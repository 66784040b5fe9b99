// The flux-ts side of `npm run bench:worker`: the same two workflows on both Worker hosts.
import { createDurableWorker, type InvocationReport } from "../../adapters/durable-object/index.js";
import { createWorker } from "../../adapters/worker/index.js";
import { task, workflow, type WorkflowExecutionContext } from "../../src/index.js";

const noop = task("noop", async (i: number) => i);

/** N sequential no-op steps (as the Cloudflare Workflows peer's `step.do`); returns N. */
const sequential = workflow("sequential", async (ctx: WorkflowExecutionContext<number>) => {
  for (let i = 0; i < ctx.input; i += 1) await ctx.run(noop, i);
  return ctx.input;
});

/** One durable sleep of `input` ms. */
const sleeper = workflow("sleeper", async (ctx: WorkflowExecutionContext<number>) => {
  await ctx.sleep(ctx.input);
  return ctx.input;
});

/** What the execution objects' invocations did since the last `/do-invocations` (then cleared). */
export const invocations: InvocationReport[] = [];

export const inObjects = createDurableWorker({ workflows: [sequential, sleeper], onInvocation: (report) => invocations.push(report) });
export const onD1 = createWorker({ workflows: [sequential, sleeper] });
