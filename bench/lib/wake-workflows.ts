import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

/**
 * The workflows of the wake workload (`bench/workloads/wake-*.ts`): `flux start` serves this
 * file, and the bench seeds its database with the same workflows in-process. "flux-ts" is the
 * built package (dist/) in the server, and the source (tsconfig paths) in the bench.
 */

/** Stands for the work done before a pause or a sleep. */
export const prepare = task("prepare", async (id: number) => id);

/** Runs one step, then waits for approval (resume it to finish). */
export const wakeApproval = workflow("wake_approval", async (ctx: WorkflowExecutionContext<number>) => {
  await ctx.run(prepare, ctx.input);
  const approval = await ctx.pause<string | undefined>("approval");
  return approval ?? "approved";
});

/** Runs one step, sleeps `ms` durably, then runs one more step. */
export const wakeTimer = workflow("wake_timer", async (ctx: WorkflowExecutionContext<number>) => {
  await ctx.run(prepare, 0);
  await ctx.sleep(ctx.input);
  return ctx.run(prepare, 1);
});

/** The small workflow whose POST latency is measured: one step. */
export const wakeHello = workflow("wake_hello", async (ctx: WorkflowExecutionContext<string>) => ctx.run(prepare, ctx.input.length));
