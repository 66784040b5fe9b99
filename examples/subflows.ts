import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const someTask = task("some_task", async (text: string) => text.split("").reverse().join(""));

/** Reverses its input. */
export const subWorkflow = workflow("sub_workflow", async (ctx: WorkflowExecutionContext<string>) => ctx.run(someTask, ctx.input));

/** Calls `sub_workflow` as a subworkflow: its own execution, with its own events. */
export const mainWorkflow = workflow("main_workflow", async (ctx: WorkflowExecutionContext<string>) => {
  const reversed = await ctx.call(subWorkflow, ctx.input);
  return `${ctx.input} -> ${reversed}`;
});
