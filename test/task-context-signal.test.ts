import { describe, expect, test } from "vitest";
import { Engine, task, workflow, type TaskContext } from "flux-ts";

describe("a task attempt's signal and nested steps after the attempt ended", () => {
  test("a signal first read after the attempt ended is already aborted, and nested calls record nothing", async () => {
    let kept: TaskContext | undefined;
    const keep = task.withContext("keep", async (tc) => {
      kept = tc;
      return "done";
    });
    const late = task("late", async () => "late");
    const engine = new Engine();
    const ctx = await workflow("keeps_context", async (c) => {
      await c.run(keep);
      // The attempt is over: its signal is aborted, and a nested call through it is refused.
      const aborted = kept!.signal.aborted;
      const refused = await kept!.run(late).then(() => "ran", (error: Error) => error.message);
      return { aborted, refused };
    }).run(undefined, { engine });
    expect(ctx.output).toEqual({ aborted: true, refused: expect.stringMatching(/has ended/) });
    const stored = await engine.store.load(ctx.executionId);
    expect(stored.some((e) => e.name === "late")).toBe(false);
  });

  test("a signal read during the attempt is live, then aborts when the attempt ends", async () => {
    let seen: AbortSignal | undefined;
    const watch = task.withContext("watch", async (tc) => {
      seen = tc.signal;
      return tc.signal.aborted;
    });
    const ctx = await workflow("watches", async (c) => c.run(watch)).run(undefined, { engine: new Engine() });
    expect(ctx.output).toBe(false);
    expect(seen!.aborted).toBe(true);
  });
});
