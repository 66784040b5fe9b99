import { task, workflow } from "flux-ts";

/** Waits longer than its timeout: the step fails with ExecutionTimeoutError, and so does the workflow. */
export const longTask = task.withContext({ name: "long_task", timeout: 50 }, (tc) => new Promise<string>((resolve) => {
  const timer = setTimeout(() => resolve("finished"), 5_000);
  tc.signal.addEventListener("abort", () => clearTimeout(timer));
}));

export const taskTimeout = workflow("task_timeout", async (ctx) => ctx.run(longTask));
