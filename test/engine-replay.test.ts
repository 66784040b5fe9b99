import { describe, expect, test } from "vitest";
import { Engine, MemoryStore, NonDeterminismError, VirtualClock, task, workflow, type StateStore } from "flux-ts";

const types = (events: readonly { type: string }[]) => events.map((e) => e.type);

describe("step identity", () => {
  test("two identical calls are two steps with their own results", async () => {
    const clock = new VirtualClock({ start: 1_000, auto: true });
    let runs = 0;
    const count = task("count", async (n: number) => (runs += n));
    const wf = workflow("twice", async (ctx) => {
      const t1 = await ctx.now();
      await ctx.sleep(5);
      const t2 = await ctx.now();
      const a = await ctx.run(count, 1);
      const b = await ctx.run(count, 1);
      return [t1.getTime(), t2.getTime(), a, b];
    });
    const engine = new Engine({ clock });
    const ctx = await wf.run(undefined, { engine });
    expect(ctx.output).toEqual([1_000, 1_005, 1, 2]);
    expect(runs).toBe(2);
    const again = await wf.run(undefined, { engine, executionId: ctx.executionId });
    expect(again.output).toEqual([1_000, 1_005, 1, 2]);
    expect(runs).toBe(2);
  });

  test("concurrent calls take ids in call order, whatever order they finish in", async () => {
    const slow = task("slow", async () => { await new Promise((r) => setTimeout(r, 30)); return "slow"; });
    const fast = task("fast", async () => "fast");
    const wf = workflow("race", async (ctx) => Promise.all([ctx.run(slow), ctx.run(fast)]));
    const ctx = await wf.run(undefined, { engine: new Engine() });
    expect(ctx.output).toEqual(["slow", "fast"]);
    const completed = ctx.events.filter((e) => e.type === "TASK_COMPLETED").map((e) => `${e.sourceId}:${e.name}`);
    expect(completed).toEqual(["2:fast", "1:slow"]);
  });

  test("parallel branches number their steps within the branch", async () => {
    const ran: string[] = [];
    const step = task("step", async (label: string, ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      ran.push(label);
      return label;
    });
    const wf = workflow("branches", async (ctx) => ctx.parallel(
      async (b) => [await b.run(step, "a1", 20), await b.run(step, "a2", 1)],
      async (b) => [await b.run(step, "b1", 1), await b.run(step, "b2", 1)],
    ));
    const engine = new Engine();
    const ctx = await wf.run(undefined, { engine });
    expect(ctx.output).toEqual([["a1", "a2"], ["b1", "b2"]]);
    const ids = ctx.events.filter((e) => e.type === "TASK_STARTED").map((e) => `${e.sourceId}=${e.name}:${JSON.stringify(e.value)}`).sort();
    // The group is recorded as step 1 (with its branch count), so a replay checks its shape.
    expect(ids).toEqual(['1.1.1=step:["a1",20]', '1.1.2=step:["a2",1]', '1.2.1=step:["b1",1]', '1.2.2=step:["b2",1]', '1=parallel:{"parallel":2}']);
    const again = await wf.run(undefined, { engine, executionId: ctx.executionId });
    expect(again.output).toEqual(ctx.output);
    expect(ran).toHaveLength(4);
  });
});

describe("replay", () => {
  test("a crashed run is replayed: recorded steps are not run again", async () => {
    const store = new MemoryStore();
    const runs: Record<string, number> = {};
    let hang = true;
    const work = task("work", async (label: string) => {
      runs[label] = (runs[label] ?? 0) + 1;
      if (label === "c" && hang) await new Promise(() => {});
      return label.toUpperCase();
    });
    const wf = workflow("three_steps", async (ctx) => [await ctx.run(work, "a"), await ctx.run(work, "b"), await ctx.run(work, "c")]);
    const first = new Engine({ store });
    const id = "crash-1";
    void wf.run(undefined, { engine: first, executionId: id });
    await new Promise((r) => setTimeout(r, 50));
    expect((await store.load(id)).map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_STARTED", "TASK_COMPLETED"]);
    hang = false;
    // The "crashed" runner's lease expires (it is renewed only every 10 s by default).
    await store.lease(id, first.runnerId, { now: 0, expiresAt: 0 });
    const ctx = await wf.run(undefined, { engine: new Engine({ store }), executionId: id });
    expect(ctx.output).toEqual(["A", "B", "C"]);
    expect(runs).toEqual({ a: 1, b: 1, c: 2 });
  });

  test("events are durable after every step, not at the end", async () => {
    const store = new MemoryStore();
    const seen: number[] = [];
    const probe = task.withContext("probe", async (tc) => {
      seen.push((await store.load(tc.executionId)).filter((e) => e.type === "TASK_COMPLETED").length);
      return null;
    });
    const wf = workflow("durable", async (ctx) => {
      await ctx.run(probe);
      await ctx.run(probe);
      await ctx.run(probe);
    });
    await wf.run(undefined, { engine: new Engine({ store }) });
    expect(seen).toEqual([0, 1, 2]);
  });

  test("a changed workflow fails with NonDeterminismError naming both steps, and the log is untouched", async () => {
    const store = new MemoryStore();
    const a = task("a", async () => 1);
    const b = task("b", async () => 2);
    const c = task("c", async () => 3);
    const v1 = workflow("evolving", async (ctx) => { await ctx.run(a); await ctx.pause("wait"); return ctx.run(b); });
    const v2 = workflow("evolving", async (ctx) => { await ctx.run(c); await ctx.pause("wait"); return ctx.run(b); });
    const ctx = await v1.run(undefined, { engine: new Engine({ store }) });
    const before = await store.load(ctx.executionId);
    const error = await v2.resume(ctx.executionId, "ok", { engine: new Engine({ store }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain('step 1 was recorded as task "a", but the code now calls task "c"');
    // The resume is durable before the replay runs (so it is never lost); what the code recorded stays.
    const after = await store.load(ctx.executionId);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(types(after.slice(before.length))).toEqual(["TASK_RESUMED", "WORKFLOW_RESUMED"]);
    const fixed = await v1.run(undefined, { engine: new Engine({ store }), executionId: ctx.executionId });
    expect(fixed.output).toBe(2);
  });

  test("a try/catch around a pause cannot intercept the suspension", async () => {
    let caught = 0;
    let after = 0;
    const wf = workflow("guarded", async (ctx) => {
      try {
        const value = await ctx.pause<string>("approval");
        after += 1;
        return value;
      } catch {
        caught += 1;
        return "caught";
      } finally {
        after += 0;
      }
    });
    const engine = new Engine();
    const ctx = await wf.run(undefined, { engine });
    expect(ctx.paused).toBe(true);
    expect(caught).toBe(0);
    expect(after).toBe(0);
    const done = await wf.resume(ctx.executionId, "yes", { engine });
    expect(done.output).toBe("yes");
    expect(caught).toBe(0);
    expect(after).toBe(1);
  });

  test("a pause waits for steps still in flight before suspending", async () => {
    const slow = task("slow", async () => { await new Promise((r) => setTimeout(r, 20)); return 1; });
    const wf = workflow("pause_with_flight", async (ctx) => {
      const [n, v] = await Promise.all([ctx.run(slow), ctx.pause<number>("p")]);
      return n + v;
    });
    const engine = new Engine();
    const ctx = await wf.run(undefined, { engine });
    expect(ctx.paused).toBe(true);
    expect(types(ctx.events)).toContain("TASK_COMPLETED");
    expect((await wf.resume(ctx.executionId, 41, { engine })).output).toBe(42);
  });

  test("a failure reloads from the store as the same class with its cause", async () => {
    const store: StateStore = new MemoryStore();
    const wf = workflow("fails", async () => {
      throw new RangeError("out of range", { cause: new Error("root cause") });
    });
    const ctx = await wf.run(undefined, { engine: new Engine({ store }) });
    const reloaded = await new Engine({ store }).inspect(ctx.executionId);
    expect(reloaded?.failed).toBe(true);
    const output = reloaded?.output as Error;
    expect(output.name).toBe("ExecutionError");
    expect(output.cause).toBeInstanceOf(RangeError);
    expect(((output.cause as Error).cause as Error).message).toBe("root cause");
  });
});

describe("durable sleep", () => {
  test("a long sleep suspends with a wake time and wakeDue resumes it when due", async () => {
    const clock = new VirtualClock({ start: 0 });
    const done = task("done", async () => "woke");
    const wf = workflow("napper", async (ctx) => { await ctx.sleep(60_000); return ctx.run(done); });
    const engine = new Engine({ clock, holdSleepsUpTo: 1_000, workflows: [wf] });
    const ctx = await wf.run(undefined, { engine });
    expect(ctx.paused).toBe(true);
    // As in Flux, WORKFLOW_PAUSED's value names what it stopped at; the store has the waits and the wake time.
    expect(ctx.events.at(-1)?.value).toBe("sleep");
    expect(await engine.store.get(ctx.executionId)).toMatchObject({ waits: [{ kind: "timer", stepId: "1", until: 60_000 }], wakeAt: 60_000 });
    expect(await engine.wakeDue()).toBe(0);
    clock.advance(60_000);
    expect(await engine.wakeDue()).toBe(1);
    const finished = await engine.inspect(ctx.executionId);
    expect(finished?.output).toBe("woke");
  });
});

describe("loading long logs", () => {
  test("the engine reads a log in pages and replays it whole", async () => {
    class CountingStore extends MemoryStore {
      readonly pages: (number | undefined)[] = [];
      override load(executionId: string, page?: { from?: number; limit?: number }) {
        this.pages.push(page?.limit);
        return super.load(executionId, page);
      }
    }
    const store = new CountingStore();
    const step = task("step", async (i: number) => i);
    const long = workflow("long", async (ctx) => {
      let sum = 0;
      for (let i = 0; i < 6_000; i++) sum += await ctx.run(step, i);
      return sum;
    });
    const engine = new Engine({ store });
    const first = await long.run(undefined, { engine });
    expect(first.events).toHaveLength(12_002);
    store.pages.length = 0;
    const again = await long.run(undefined, { engine, executionId: first.executionId });
    expect(again.output).toBe(first.output);
    expect(again.events).toHaveLength(12_002);
    expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    // 12,002 events in pages of 1,000: 12 full pages and one of 2.
    expect(store.pages).toEqual(Array.from({ length: 13 }, () => 1000));
  });
});


describe("subscribe", () => {
  test("subscribers get every event in order and tasks' progress; after unsubscribing, nothing", async () => {
    const engine = new Engine();
    const halfway = task.withContext("halfway", async (tc) => {
      tc.progress(0.5);
      return "done";
    });
    const wf = workflow("observed", async (ctx) => ctx.run(halfway));
    const seen: string[] = [];
    const unsubscribe = engine.subscribe((notice) => {
      seen.push(notice.kind === "event" ? notice.event.type : `progress ${notice.stepId} ${String(notice.value)}`);
    });
    const ctx = await wf.run(undefined, { engine });
    expect(seen).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "progress 1 0.5", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);
    expect(seen.filter((s) => !s.startsWith("progress"))).toEqual(ctx.events.map((e) => e.type));
    unsubscribe();
    await wf.run(undefined, { engine });
    expect(seen).toHaveLength(5);
  });
});
