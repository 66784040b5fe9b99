// A retry delay longer than the engine's holdSleepsUpTo suspends the run on a timer, as a long
// durable sleep does (the Worker hosts set a few seconds): the next attempt runs when the
// dispatcher (or a Durable Object's alarm) wakes it, and never earlier.
import { describe, expect, test } from "vitest";
import { Engine, MemoryStore, VirtualClock, task, workflow } from "../src/index.js";

function flaky() {
  const attempts: number[] = [];
  const charge = task({ name: "charge", retry: { maxAttempts: 2, delay: 5_000 } }, async () => {
    attempts.push(attempts.length);
    if (attempts.length < 2) throw new Error("card network down");
    return "charged";
  });
  return { attempts, wf: workflow("pay", async (ctx) => ctx.run(charge)) };
}

describe("a long retry delay", () => {
  test("suspends the run with a timer at the next attempt's time; the wake runs it then", async () => {
    const { attempts, wf } = flaky();
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const engine = new Engine({ store, clock, holdSleepsUpTo: 1_000, workflows: [wf] });
    const first = await wf.run(undefined, { engine });
    expect(first.paused).toBe(true);
    const summary = await store.get(first.executionId);
    expect(summary).toMatchObject({ state: "paused", wakeAt: 5_000, waits: [{ kind: "timer", stepId: "1", until: 5_000 }] });
    expect(attempts).toEqual([0]);
    clock.advance(4_999);
    expect(await engine.wakeDue()).toBe(0);
    // Run again by id before it is due: nothing to do yet, nothing recorded.
    expect((await wf.run(undefined, { engine, executionId: first.executionId })).paused).toBe(true);
    expect(attempts).toEqual([0]);
    clock.advance(1);
    // A new engine (a restart, or another invocation): the wait is read back from the log.
    const restarted = new Engine({ store, clock, holdSleepsUpTo: 1_000, workflows: [wf] });
    expect(await restarted.wakeDue()).toBe(1);
    expect(attempts).toEqual([0, 1]);
    const done = await restarted.inspect(first.executionId);
    expect(done).toMatchObject({ state: "succeeded", output: "charged" });
    expect(done!.events.map((e) => e.type)).toEqual([
      "WORKFLOW_STARTED", "TASK_STARTED", "TASK_RETRY_STARTED", "WORKFLOW_PAUSED",
      "WORKFLOW_RESUMED", "TASK_RETRY_COMPLETED", "TASK_COMPLETED", "WORKFLOW_COMPLETED",
    ]);
  });

  test("is held in the run when it is within holdSleepsUpTo (the default holds every delay)", async () => {
    const { attempts, wf } = flaky();
    const clock = new VirtualClock({ start: 0, auto: true });
    const engine = new Engine({ store: new MemoryStore(), clock, workflows: [wf] });
    const ctx = await wf.run(undefined, { engine });
    expect(ctx).toMatchObject({ state: "succeeded", output: "charged" });
    expect(attempts).toEqual([0, 1]);
    expect(ctx.events.map((e) => e.type)).not.toContain("WORKFLOW_PAUSED");
  });
});
