import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const stamp = task("stamp", async (label: string) => label);

/** A durable sleep between two steps (ms from the input, default 100). */
export const sleepWorkflow = workflow("sleep_workflow", async (ctx: WorkflowExecutionContext<number | undefined>) => {
  const start = await ctx.now();
  await ctx.run(stamp, "before");
  await ctx.sleep(ctx.input ?? 100);
  await ctx.run(stamp, "after");
  const end = await ctx.now();
  return end.getTime() - start.getTime();
});
