import { task, workflow } from "flux-ts";

/** Fails every attempt: two retries, then the fallback. */
export const alwaysFails = task(
  { name: "always_fails", retry: { maxAttempts: 2, delay: 10, backoff: 2 }, fallback: async (x: number) => x * -1 },
  async (x: number): Promise<number> => {
    throw new Error(`cannot process ${x}`);
  },
);

export const taskFallbackAfterRetry = workflow("task_fallback_after_retry", async (ctx) => ctx.run(alwaysFails, 21));
