import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const countWords = task("count_words", async (text: string) => text.split(/\s+/).filter(Boolean).length);

/** One step per item, run concurrently; results in item order. */
export const taskMap = workflow("task_map", async (ctx: WorkflowExecutionContext<string[]>) => {
  const counts = await ctx.map(countWords, ctx.input ?? []);
  return counts.reduce((a, b) => a + b, 0);
});
