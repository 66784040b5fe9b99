import { task, workflow } from "flux-ts";

/** Stands for the work done before approval. */
export const processData = task("process_data", async () => "Data processed");

/** Runs until `wait_for_approval`; resume it (with a value or without) to finish. */
export const pauseWorkflow = workflow("pause_workflow", async (ctx) => {
  const result = await ctx.run(processData);
  const approval = await ctx.pause<string | undefined>("wait_for_approval");
  return `${result} and ${approval ?? "approved"}`;
});
