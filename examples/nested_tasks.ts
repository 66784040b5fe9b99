import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const upperCase = task("upper_case", async (text: string) => text.toUpperCase());
export const exclaim = task("exclaim", async (text: string) => `${text}!`);

/** A task that runs other tasks through its context: each nested call is its own recorded step. */
export const shout = task.withContext("shout", async (tc, text: string) => {
  const upper = await tc.run(upperCase, text);
  return tc.run(exclaim, upper);
});

export const nestedTasksWorkflow = workflow("nested_tasks_workflow", async (ctx: WorkflowExecutionContext<string>) =>
  ctx.run(shout, ctx.input ?? "hello"));
