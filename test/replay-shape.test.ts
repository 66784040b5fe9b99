// Replay checks the shape of a run, not only names: a step moved into or out of ctx.parallel, a
// branch added or removed, a subworkflow call replaced by a task of the same name each raise
// NonDeterminismError naming the step, with no body run again; replayHistory fails when the code
// calls fewer steps than recorded, or ends otherwise.
import { describe, expect, test } from "vitest";
import { Engine, MemoryStore, NonDeterminismError, replayHistory, task, workflow, type WorkflowExecutionContext } from "flux-ts";

type Body = (ctx: WorkflowExecutionContext<unknown, unknown>) => Promise<unknown>;

/** Runs `v1` until its pause, then resumes the execution under `v2`; resolves with the error and how often each body ran. */
async function resumeUnderChangedCode(v1: (t: ReturnType<typeof tasks>) => Body, v2: (t: ReturnType<typeof tasks>) => Body) {
  const t = tasks();
  const store = new MemoryStore();
  const first = await workflow("shaped", v1(t)).run(undefined, { engine: new Engine({ store }) });
  expect(first.paused).toBe(true);
  const before = { ...t.runs };
  const error = await workflow("shaped", v2(t)).resume(first.executionId, "go", { engine: new Engine({ store }) }).catch((e: unknown) => e);
  return { error, rerun: Object.fromEntries(Object.entries(t.runs).map(([k, v]) => [k, v - (before[k] ?? 0)])) };
}

function tasks() {
  const runs: Record<string, number> = {};
  const make = (name: string) => task(name, async () => {
    runs[name] = (runs[name] ?? 0) + 1;
    return name;
  });
  return { runs, a: make("a"), b: make("b"), c: make("c"), d: make("d"), x: make("x") };
}

describe("replay checks shape", () => {
  test("a step moved out of ctx.parallel", async () => {
    const { error, rerun } = await resumeUnderChangedCode(
      (t) => async (ctx) => { await ctx.parallel((p) => p.run(t.a), (p) => p.run(t.b)); return ctx.pause("go"); },
      (t) => async (ctx) => { await ctx.run(t.a); await ctx.run(t.b); return ctx.pause("go"); },
    );
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain("step 1 was recorded as a parallel group of 2 branches, but the code now calls task \"a\"");
    expect(rerun).toEqual({ a: 0, b: 0 });
  });

  test("a step moved into ctx.parallel", async () => {
    const { error, rerun } = await resumeUnderChangedCode(
      (t) => async (ctx) => { await ctx.run(t.a); return ctx.pause("go"); },
      (t) => async (ctx) => { await ctx.parallel((p) => p.run(t.a)); return ctx.pause("go"); },
    );
    expect((error as Error).message).toContain('step 1 was recorded as task "a", but the code now runs a parallel group of 1 branch');
    expect(rerun).toEqual({ a: 0 });
  });

  test("a parallel branch removed, or added", async () => {
    const three = (t: ReturnType<typeof tasks>): Body => async (ctx) => {
      await ctx.parallel((p) => p.run(t.a), (p) => p.run(t.b), (p) => p.run(t.c));
      return ctx.pause("go");
    };
    const removed = await resumeUnderChangedCode(three, (t) => async (ctx) => { await ctx.parallel((p) => p.run(t.a), (p) => p.run(t.b)); return ctx.pause("go"); });
    expect((removed.error as Error).message).toContain("step 1 was recorded as a parallel group of 3 branches, but the code now runs a parallel group of 2 branches");
    const added = await resumeUnderChangedCode(three, (t) => async (ctx) => {
      await ctx.parallel((p) => p.run(t.a), (p) => p.run(t.b), (p) => p.run(t.c), (p) => p.run(t.d));
      return ctx.pause("go");
    });
    expect((added.error as Error).message).toContain("a parallel group of 3 branches, but the code now runs a parallel group of 4 branches");
    expect(added.rerun).toEqual({ a: 0, b: 0, c: 0 });
  });

  test("a subworkflow call replaced by a task of the same name", async () => {
    const { error, rerun } = await resumeUnderChangedCode(
      (t) => async (ctx) => { await ctx.call(workflow("x", async (c) => c.run(t.x)), null); return ctx.pause("go"); },
      (t) => async (ctx) => { await ctx.run(t.x); return ctx.pause("go"); },
    );
    expect((error as Error).message).toContain('step 1 was recorded as subworkflow "x", but the code now calls task "x"');
    expect(rerun).toEqual({ x: 0 });
  });

  test("a durable sleep replaced by a task named sleep", async () => {
    const { error } = await resumeUnderChangedCode(
      () => async (ctx) => { await ctx.sleep(1); return ctx.pause("go"); },
      () => async (ctx) => { await ctx.run(task("sleep", async () => 1)); return ctx.pause("go"); },
    );
    expect((error as Error).message).toContain('step 1 was recorded as sleep, but the code now calls task "sleep"');
  });
});

describe("replayHistory checks every recorded step and the ending", () => {
  const t = tasks();
  const full = workflow("hist", async (ctx) => { await ctx.run(t.a); await ctx.run(t.b); return ctx.run(t.c); });

  test("a history replays against its own code", async () => {
    const store = new MemoryStore();
    const ctx = await full.run(undefined, { engine: new Engine({ store }) });
    await expect(replayHistory(full, await store.load(ctx.executionId))).resolves.toBe("c");
  });

  test("code that calls fewer steps than recorded fails, naming the first it skipped", async () => {
    const store = new MemoryStore();
    const ctx = await full.run(undefined, { engine: new Engine({ store }) });
    const shorter = workflow("hist", async (c) => { await c.run(t.a); return c.run(t.b); });
    const error = await replayHistory(shorter, await store.load(ctx.executionId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain('the code ended without calling step 3 (task "c")');
  });

  test("a history that paused must pause again at the same pause, not finish", async () => {
    const pausing = workflow("hist2", async (ctx) => { await ctx.run(t.a); await ctx.pause("approve"); return ctx.run(t.b); });
    const store = new MemoryStore();
    const ctx = await pausing.run(undefined, { engine: new Engine({ store }) });
    const history = await store.load(ctx.executionId);
    await expect(replayHistory(pausing, history)).resolves.toBeUndefined();
    const renamed = workflow("hist2", async (c) => { await c.run(t.a); await c.pause("approve"); return c.run(t.b); });
    await expect(replayHistory(renamed, history)).resolves.toBeUndefined();
    const finishes = workflow("hist2", async (c) => c.run(t.a));
    const error = await replayHistory(finishes, history).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toMatch(/ended without calling step 2 \(pause "approve"\)|ended with WORKFLOW_COMPLETED/);
  });
});
