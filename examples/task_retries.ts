import { task, workflow } from "flux-ts";

/** Fails on its first two runs, succeeds on the third: retries absorb it. */
export const flakyTask = task.withContext({ name: "flaky_task", retry: { maxAttempts: 3, delay: 10, backoff: 2 } }, async (tc) => {
  if (tc.attempt < 2) throw new Error(`transient failure on attempt ${tc.attempt}`);
  return `succeeded on attempt ${tc.attempt}`;
});

export const taskRetries = workflow("task_retries", async (ctx) => ctx.run(flakyTask));
