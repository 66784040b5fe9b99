import { task, workflow } from "flux-ts";

/** Always fails; its fallback answers instead. */
export const unreliable = task({ name: "unreliable", fallback: async () => "fallback result" }, async (): Promise<string> => {
  throw new Error("the service is down");
});

export const taskFallback = workflow("task_fallback", async (ctx) => ctx.run(unreliable));
