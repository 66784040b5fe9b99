import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const fibo = task("fibo", async (n: number) => {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
});

/** `iterations` fibo steps of `n` each (input `{ iterations, n }`): the per-step cost of the engine. */
export const fiboBenchmark = workflow("fibo_benchmark", async (ctx: WorkflowExecutionContext<{ iterations?: number; n?: number } | undefined>) => {
  const iterations = ctx.input?.iterations ?? 100;
  const n = ctx.input?.n ?? 30;
  let last = 0;
  for (let i = 0; i < iterations; i++) last = await ctx.run(fibo, n);
  return last;
});
