import { task, workflow } from "flux-ts";

export const prepareData = task("prepare_data", async () => [1, 2, 3]);
export const transformData = task("transform_data", async (data: number[]) => data.map((n) => n * 10));
export const finalizeData = task("finalize_data", async (data: number[]) => data.reduce((a, b) => a + b, 0));

/** Three stages with a pause between each: run, resume, resume. */
export const multiStageWorkflow = workflow("multi_stage_workflow", async (ctx) => {
  const data = await ctx.run(prepareData);
  await ctx.pause("verify_data");
  const processed = await ctx.run(transformData, data);
  await ctx.pause("review_processing");
  return ctx.run(finalizeData, processed);
});
