import { workflow } from "flux-ts";

/** Time and randomness through the context: a replay returns exactly what the first run saw. */
export const deterministicWorkflow = workflow("deterministic_workflow", async (ctx) => {
  const start = await ctx.now();
  const id = await ctx.uuid4();
  const dice = await ctx.randint(1, 5);
  const pick = await ctx.randrange(1, 10);
  const end = await ctx.now();
  return { elapsed: end.getTime() - start.getTime(), id, dice, pick };
});
