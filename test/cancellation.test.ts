// engine.cancel: a paused or sleeping execution is cancelled at once; a run on this engine stops
// at once (its task's signal aborts, nothing after is recorded, no rollback runs); one another
// runner runs is cancelled by that runner at its next commit; children are cancelled with their
// parent; a cancelled child fails its parent's call; cancelling what ended is a no-op that says so.
import { describe, expect, test } from "vitest";
import {
  CancelledError, Engine, ExecutionNotFoundError, MemoryStore, VirtualClock, task, workflow, type StateStore,
} from "flux-ts";

const types = async (store: StateStore, id: string) => (await store.load(id)).map((e) => e.type);

describe("engine.cancel", () => {
  test("a paused execution is cancelled at once, with a CancelledError carrying the reason", async () => {
    const store = new MemoryStore();
    const wf = workflow("cancel_paused", async (ctx) => ctx.pause("approve"));
    const engine = new Engine({ store });
    const first = await wf.run(undefined, { engine });
    expect(await engine.cancel(first.executionId, "no longer needed")).toEqual({ executionId: first.executionId, state: "cancelled", cancelled: true });
    const done = await engine.inspect(first.executionId);
    expect(done?.cancelled).toBe(true);
    expect(done?.finished).toBe(true);
    expect(done?.output).toBeInstanceOf(CancelledError);
    expect((done?.output as CancelledError).reason).toBe("no longer needed");
    expect((await types(store, first.executionId)).at(-1)).toBe("WORKFLOW_CANCELLED");
    expect(await store.get(first.executionId)).toMatchObject({ state: "cancelled" });
    // A resume or a wake afterwards finds it ended.
    expect((await wf.resume(first.executionId, "late", { engine })).cancelled).toBe(true);
  });

  test("a sleeping execution is cancelled at once; the timer never wakes it", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const wf = workflow("cancel_sleeper", async (ctx) => ctx.sleep(60_000));
    const engine = new Engine({ store, clock, holdSleepsUpTo: 0, workflows: [wf] });
    const first = await wf.run(undefined, { engine });
    await engine.cancel(first.executionId);
    clock.advance(60_000);
    expect(await engine.wakeDue()).toBe(0);
    expect(await store.get(first.executionId)).toMatchObject({ state: "cancelled" });
    expect((await store.get(first.executionId))?.wakeAt).toBeUndefined();
  });

  test("a run on this engine stops at once: its task's signal aborts, nothing after is recorded, no rollback runs", async () => {
    const store = new MemoryStore();
    const happened: string[] = [];
    const long = task.withContext({ name: "long", rollback: async () => void happened.push("rollback") }, async (tc) => {
      happened.push("started");
      await new Promise<void>((resolve) => tc.signal.addEventListener("abort", () => resolve(), { once: true }));
      happened.push(`aborted: ${(tc.signal.reason as Error).name}`);
      return "finished anyway";
    });
    const after = task("after", async () => void happened.push("after"));
    const wf = workflow("cancel_running", async (ctx) => {
      await ctx.run(long);
      await ctx.run(after);
    });
    const engine = new Engine({ store });
    const run = wf.run(undefined, { engine, executionId: "running-1" });
    await expect.poll(() => happened).toContain("started");
    const result = await engine.cancel("running-1", "stop it");
    expect(result).toEqual({ executionId: "running-1", state: "cancelled", cancelled: true });
    const ctx = await run;
    expect(ctx.cancelled).toBe(true);
    expect(happened).toEqual(["started", "aborted: CancelledError"]);
    expect(await types(store, "running-1")).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "WORKFLOW_CANCELLED"]);
  });

  test("a run on another runner is cancelled by that runner at its next commit", async () => {
    const store = new MemoryStore();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const step = task("gated_cancel", async (name: string) => {
      ran.push(name);
      if (name === "one") await gate;
      return name;
    });
    const wf = workflow("cancel_elsewhere", async (ctx) => {
      await ctx.run(step, "one");
      await ctx.run(step, "two");
    });
    const a = new Engine({ store });
    const run = wf.run(undefined, { engine: a, executionId: "elsewhere" });
    await expect.poll(() => ran).toEqual(["one"]);
    const b = new Engine({ store });
    expect(await b.cancel("elsewhere", "from b")).toEqual({ executionId: "elsewhere", state: "running", cancelled: true });
    release();
    const ctx = await run;
    expect(ctx.cancelled).toBe(true);
    expect((ctx.output as CancelledError).reason).toBe("from b");
    expect(ran).toEqual(["one"]);
    expect(await store.get("elsewhere")).toMatchObject({ state: "cancelled" });
    expect((await store.get("elsewhere"))?.cancel).toBeUndefined();
  });

  test("its unfinished children are cancelled with it; a child cancelled on its own fails its parent's call", async () => {
    const store = new MemoryStore();
    const child = workflow("cancel_child", async (ctx) => ctx.pause("wait"));
    const parent = workflow("cancel_parent", async (ctx) => {
      try {
        return await ctx.call(child, null);
      } catch (error) {
        return `the child ended: ${(error as Error).name}`;
      }
    });
    const engine = new Engine({ store, workflows: [parent] });
    const a = await parent.run(undefined, { engine });
    await engine.cancel(a.executionId);
    expect(await store.get(`${a.executionId}.1`)).toMatchObject({ state: "cancelled" });
    const b = await parent.run(undefined, { engine });
    await engine.cancel(`${b.executionId}.1`, "child only");
    await expect.poll(async () => (await store.get(b.executionId))?.state).toBe("succeeded");
    expect((await engine.inspect(b.executionId))?.output).toBe("the child ended: CancelledError");
  });

  test("cancelling an execution that ended is a no-op that says so; an unknown one is an error", async () => {
    const engine = new Engine({ store: new MemoryStore() });
    const done = await workflow("already_done", async () => 1).run(undefined, { engine });
    expect(await engine.cancel(done.executionId)).toEqual({ executionId: done.executionId, state: "succeeded", cancelled: false });
    await expect(engine.cancel("nobody")).rejects.toBeInstanceOf(ExecutionNotFoundError);
  });
});

describe("a cancellation during a step's commit", () => {
  test("the commit in flight is refused or lands; either way the execution ends cancelled with a gapless log", async () => {
    for (const order of ["cancel-first", "commit-first"] as const) {
      const store = new MemoryStore();
      const original = store.commitBatch.bind(store);
      let hold: (() => void) | undefined;
      let reached: () => void = () => {};
      const atCommit = new Promise<void>((resolve) => (reached = resolve));
      store.commitBatch = async (commits) => {
        if (hold === undefined && commits.some((c) => c.events.some((e) => e.type === "TASK_COMPLETED"))) {
          await new Promise<void>((resolve) => {
            hold = resolve;
            reached();
          });
        }
        return original(commits);
      };
      const step = task("committing", async () => "ok");
      const after = task("after_commit", async () => "after");
      const wf = workflow("cancel_at_commit", async (ctx) => {
        await ctx.run(step);
        await ctx.run(after);
      });
      const engine = new Engine({ store });
      const run = wf.run(undefined, { engine, executionId: `at-commit-${order}` });
      await atCommit;
      const cancelling = new Engine({ store }).cancel(`at-commit-${order}`, order);
      if (order === "commit-first") hold!();
      const result = await cancelling;
      if (order === "cancel-first") hold!();
      const ctx = await run;
      expect(result.cancelled, order).toBe(true);
      expect(ctx.cancelled, order).toBe(true);
      const log = await store.load(`at-commit-${order}`);
      expect(log.map((e) => e.id), order).toEqual(log.map((_, i) => i));
      expect(log.at(-1)?.type, order).toBe("WORKFLOW_CANCELLED");
      expect(log.some((e) => e.name === "after_commit"), order).toBe(false);
    }
  });
});

describe("a cancellation that lands while another runner takes the execution", () => {
  test("between the runner's read of the execution and its lease claim: no step body begins", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const ran: string[] = [];
    const after = task("after_nap", async () => void ran.push("after"));
    const wf = workflow("nap_then_step", async (ctx) => {
      await ctx.sleep(60_000);
      await ctx.run(after);
    });
    const engine = new Engine({ store, clock, holdSleepsUpTo: 0, workflows: [wf] });
    await wf.run(undefined, { engine, executionId: "claimed-late" });
    clock.advance(60_000);
    // The cancel is durable just after the waking runner read the summary, before it claims the lease.
    const original = store.lease.bind(store);
    let cancelled = false;
    store.lease = async (...args) => {
      if (!cancelled && args[0] === "claimed-late") {
        cancelled = true;
        await store.requestCancel("claimed-late", { reason: "in between", time: clock.now() });
      }
      return original(...args);
    };
    await engine.wakeDue();
    expect(cancelled).toBe(true);
    expect(ran).toEqual([]);
    expect(await store.get("claimed-late")).toMatchObject({ state: "cancelled" });
    expect((await types(store, "claimed-late")).at(-1)).toBe("WORKFLOW_CANCELLED");
  });

  test("a recovery of a run whose runner died: no step body begins", async () => {
    const store = new MemoryStore();
    const ran: string[] = [];
    const first = task("first_of_two", async () => void ran.push("first"));
    const second = task("second_of_two", async () => void ran.push("second"));
    const wf = workflow("two_steps_recovered", async (ctx) => {
      await ctx.run(first);
      await ctx.run(second);
    });
    // A runner that died after the first step: its lease lapsed long ago.
    const dead = new Engine({ store, leaseTtl: 1, workflows: [wf] });
    const original = store.commitBatch.bind(store);
    store.commitBatch = async (commits) => {
      if (commits.some((c) => c.events.some((e) => e.name === "second_of_two"))) throw new Error("the runner died");
      return original(commits);
    };
    await wf.run(undefined, { engine: dead, executionId: "recovered-late" }).catch(() => undefined);
    store.commitBatch = original;
    expect(ran).toEqual(["first", "second"]);
    ran.length = 0;
    expect(await store.get("recovered-late")).toMatchObject({ state: "running" });
    const lease = store.lease.bind(store);
    let cancelled = false;
    store.lease = async (...args) => {
      if (!cancelled && args[0] === "recovered-late" && args[1] !== dead.runnerId) {
        cancelled = true;
        await store.requestCancel("recovered-late", { reason: "in between", time: Date.now() });
      }
      return lease(...args);
    };
    const engine = new Engine({ store, workflows: [wf] });
    await engine.recover({ staleAfter: 0 });
    expect(cancelled).toBe(true);
    expect(ran).toEqual([]);
    expect(await store.get("recovered-late")).toMatchObject({ state: "cancelled" });
    expect((await types(store, "recovered-late")).at(-1)).toBe("WORKFLOW_CANCELLED");
  });
});
