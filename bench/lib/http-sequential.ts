import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

// The workflow `flux start` serves for the flux-ts HTTP peer (bench/peers/flux-http.ts); here, not
// under bench/peers, whose package.json would hide the package "flux-ts" from it.
// "flux-ts" is the package itself, as a user's file imports it.

/** The no-op step: returns its argument. */
export const noop = task("noop", async (i: number) => i);

/** `POST /sequential` with N: N sequential no-op steps; answers N. */
export const sequential = workflow("sequential", async (ctx: WorkflowExecutionContext<number>) => {
  for (let i = 0; i < ctx.input; i += 1) await ctx.run(noop, i);
  return ctx.input;
});
