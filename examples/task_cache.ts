import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

/** How many times the body really ran (the cache makes later executions skip it). */
export const computations = { count: 0 };

/** An expensive computation, cached across executions by its arguments. */
export const expensive = task({ name: "expensive", cache: true }, async (n: number) => {
  computations.count += 1;
  let total = 0;
  for (let i = 0; i <= n; i++) total += i;
  return total;
});

export const taskCache = workflow("task_cache", async (ctx: WorkflowExecutionContext<number>) => ctx.run(expensive, ctx.input ?? 1000));
