import { task, workflow } from "flux-ts";

/** Takes longer than its timeout (and stops when told to); the fallback answers instead. */
export const slowTask = task.withContext(
  { name: "slow_task", timeout: 50, fallback: async () => "fallback after timeout" },
  (tc) => new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => resolve("too late"), 5_000);
    tc.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(tc.signal.reason);
    });
  }),
);

export const taskFallbackAfterTimeout = workflow("task_fallback_after_timeout", async (ctx) => ctx.run(slowTask));
