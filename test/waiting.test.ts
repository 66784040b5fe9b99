// One model of waiting: a subworkflow's pause is answered only by a resume aimed at it (directly or
// forwarded from its parent); a child's end wakes its parent; timers come due by one indexed query.
import { describe, expect, test } from "vitest";
import {
  Engine, MemoryStore, NotResumableError, VirtualClock, task, workflow, type StateStore, type WorkflowExecutionContext,
} from "flux-ts";

function approvalFlow() {
  const charges: unknown[] = [];
  const charge = task("charge", async (answer: unknown) => {
    charges.push(answer);
    return `charged after ${String(answer)}`;
  });
  const approval = workflow("approval", async (ctx: WorkflowExecutionContext<string>) => ctx.pause<string>("approve"));
  const parent = workflow("purchase", async (ctx: WorkflowExecutionContext<string>) => {
    const answer = await ctx.call(approval, ctx.input);
    return ctx.run(charge, answer);
  });
  return { charges, approval, parent };
}

/** Counts what is resumed: TASK_RESUMED events of every execution in the store, with their values. */
async function resumes(store: StateStore): Promise<string[]> {
  const found: string[] = [];
  for (const summary of (await store.list({ limit: 1000 })).executions) {
    for (const event of await store.load(summary.executionId)) if (event.type === "TASK_RESUMED") found.push(`${summary.executionId}:${event.value}`);
  }
  return found;
}

describe("a subworkflow's pause is answered only by a resume aimed at it", () => {
  test("the seeds' run by id, a wake, a recovery: none resumes the child, none charges", async () => {
    const { charges, parent } = approvalFlow();
    const store = new MemoryStore();
    const engine = new Engine({ store, workflows: [parent] });
    const first = await parent.run("order-1", { engine });
    expect(first.paused).toBe(true);
    expect(first.events.at(-1)).toMatchObject({ type: "WORKFLOW_PAUSED", value: "call:approval" });
    const childId = `${first.executionId}.1`;
    expect(await store.get(childId)).toMatchObject({ state: "paused", parentId: first.executionId, waits: [{ kind: "pause", name: "approve" }] });
    expect(await store.get(first.executionId)).toMatchObject({ waits: [{ kind: "child", executionId: childId, workflow: "approval" }] });
    expect((await store.get(first.executionId))?.wakeAt).toBeUndefined();

    const again = await parent.run(undefined, { engine: new Engine({ store }), executionId: first.executionId });
    expect(again.paused).toBe(true);
    expect(await new Engine({ store, workflows: [parent] }).wakeDue()).toBe(0);
    expect((await new Engine({ store, workflows: [parent] }).recover()).recovered).toEqual([]);
    expect(charges).toEqual([]);
    expect(await resumes(store)).toEqual([]);
    expect((await store.load(first.executionId)).length).toBe(first.events.length);
  });

  test("a resume of the parent is forwarded to the child's pause, whose value reaches the parent", async () => {
    const { charges, parent } = approvalFlow();
    const store = new MemoryStore();
    const first = await parent.run("order-2", { engine: new Engine({ store }) });
    const done = await parent.resume(first.executionId, "yes", { engine: new Engine({ store }) });
    expect(done.succeeded).toBe(true);
    expect(done.output).toBe("charged after yes");
    expect(charges).toEqual(["yes"]);
    expect(await resumes(store)).toEqual([`${first.executionId}.1:"yes"`]);
    // The child finished with the value; a second resume finds it finished.
    expect((await parent.resume(first.executionId, "again", { engine: new Engine({ store }) })).output).toBe("charged after yes");
    expect(charges).toEqual(["yes"]);
  });

  test("a resume of the child by its id wakes its parent, which carries on on the same engine", async () => {
    const { charges, approval, parent } = approvalFlow();
    const store = new MemoryStore();
    const engine = new Engine({ store, workflows: [parent] });
    const first = await parent.run("order-3", { engine });
    const child = await approval.resume(`${first.executionId}.1`, "ok", { engine });
    expect(child.output).toBe("ok");
    await expect.poll(async () => (await store.get(first.executionId))?.state).toBe("succeeded");
    expect(charges).toEqual(["ok"]);
  });

  test("a parent whose own sleep wakes does not touch its paused child", async () => {
    const { charges, approval } = approvalFlow();
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const nap = workflow("nap_and_ask", async (ctx) => ctx.parallel(
      (b) => b.sleep(60_000),
      (b) => b.call(approval, "x"),
    ));
    const engine = new Engine({ store, clock, holdSleepsUpTo: 1_000, workflows: [nap] });
    const first = await nap.run(undefined, { engine });
    expect(await store.get(first.executionId)).toMatchObject({ state: "paused", wakeAt: 60_000 });
    expect((await store.get(first.executionId))?.waits?.map((w) => w.kind)).toEqual(["timer", "child"]);
    clock.advance(60_000);
    expect(await engine.wakeDue()).toBe(1);
    const after = await store.get(first.executionId);
    expect(after).toMatchObject({ state: "paused", waits: [{ kind: "child" }] });
    expect(after?.wakeAt).toBeUndefined();
    expect(await resumes(store)).toEqual([]);
    expect(charges).toEqual([]);
    const done = await nap.resume(first.executionId, "approved", { engine });
    expect(done.output).toEqual([undefined, "approved"]);
  });

  test("a resume of an execution that only sleeps is refused, recording nothing", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const sleeper = workflow("sleeper", async (ctx) => ctx.sleep(60_000));
    const engine = new Engine({ store, clock, holdSleepsUpTo: 0 });
    const first = await sleeper.run(undefined, { engine });
    const error = await sleeper.resume(first.executionId, "value", { engine }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotResumableError);
    expect((error as Error).message).toContain("is not waiting for a resume: it waits on sleep until 1970-01-01T00:01:00.000Z");
    expect((await store.load(first.executionId)).length).toBe(first.events.length);
  });
});

describe("a child wakes its parent", () => {
  test("a child that sleeps past the hold limit is woken, and its end wakes the parent in the same pass", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const after = task("after", async (n: number) => n + 1);
    const child = workflow("slow_child", async (ctx) => { await ctx.sleep(30_000); return 41; });
    const parent = workflow("waiting_parent", async (ctx) => ctx.run(after, await ctx.call(child, null)));
    const engine = new Engine({ store, clock, holdSleepsUpTo: 1_000, workflows: [parent, child] });
    const first = await parent.run(undefined, { engine });
    expect(first.paused).toBe(true);
    expect(await store.get(`${first.executionId}.1`)).toMatchObject({ state: "paused", wakeAt: 30_000 });
    clock.advance(30_000);
    // A new engine (a restart): it knows the workflows by name, nothing in memory.
    const restarted = new Engine({ store, clock, holdSleepsUpTo: 1_000, workflows: [parent, child] });
    expect(await restarted.wakeDue()).toBe(2);
    expect(await store.get(first.executionId)).toMatchObject({ state: "succeeded" });
    expect((await restarted.inspect(first.executionId))?.output).toBe(42);
  });

  test("the wake is durable: a parent whose child ended on a runner that cannot run it is continued by the next pass", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const child = workflow("napping_child", async (ctx) => { await ctx.sleep(5_000); return "child done"; });
    const parent = workflow("patient_parent", async (ctx) => `parent saw ${await ctx.call(child, null)}`);
    const first = await parent.run(null, { engine: new Engine({ store, clock, holdSleepsUpTo: 0 }) });
    expect(first.paused).toBe(true);
    clock.advance(5_000);
    // A runner that serves only the child wakes it; the child's last commit makes its parent due.
    const childOnly = new Engine({ store, clock, holdSleepsUpTo: 0, workflows: [child] });
    expect(await childOnly.wakeDue()).toBe(1);
    expect(await store.get(first.executionId)).toMatchObject({ state: "paused", wakeAt: 5_000 });
    expect(await childOnly.wakeDue()).toBe(0);
    const withParent = new Engine({ store, clock, holdSleepsUpTo: 0, workflows: [parent] });
    expect(await withParent.wakeDue()).toBe(1);
    expect((await withParent.inspect(first.executionId))?.output).toBe("parent saw child done");
  });
});

describe("timers come due by one indexed query", () => {
  test("an idle dispatcher pass reads no log, however many executions wait", async () => {
    let loads = 0;
    let dues = 0;
    class Counting extends MemoryStore {
      override load(...args: Parameters<MemoryStore["load"]>) {
        loads += 1;
        return super.load(...args);
      }
      override due(...args: Parameters<MemoryStore["due"]>) {
        dues += 1;
        return super.due(...args);
      }
    }
    const store = new Counting();
    const clock = new VirtualClock({ start: 0 });
    const ask = workflow("ask", async (ctx) => ctx.pause("approval"));
    const nap = workflow("nap", async (ctx) => ctx.sleep(60_000));
    const engine = new Engine({ store, clock, holdSleepsUpTo: 0, workflows: [ask, nap] });
    await Promise.all(Array.from({ length: 300 }, () => ask.run(undefined, { engine })));
    await Promise.all(Array.from({ length: 100 }, () => nap.run(undefined, { engine })));
    loads = 0;
    dues = 0;
    expect(await engine.wakeDue()).toBe(0);
    expect([loads, dues]).toEqual([0, 1]);
    clock.advance(60_000);
    expect(await engine.wakeDue()).toBe(100);
    expect((await store.list({ state: "succeeded", limit: 1000 })).executions).toHaveLength(100);
  });

  test("timers due together are woken concurrently, not one after another", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    let inside = 0;
    let most = 0;
    const slowStep = task("slow_step", async () => {
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inside -= 1;
    });
    const napper = workflow("napper3", async (ctx) => { await ctx.sleep(1_000); await ctx.run(slowStep); });
    const engine = new Engine({ store, clock, holdSleepsUpTo: 0, workflows: [napper] });
    for (let i = 0; i < 3; i += 1) await napper.run(undefined, { engine });
    clock.advance(1_000);
    expect(await engine.wakeDue()).toBe(3);
    expect(most).toBe(3);
  });
});

describe("subworkflows nest at any depth", () => {
  test("a chain 120 calls deep runs, keeps every id within 200 characters, and replays", async () => {
    const store = new MemoryStore();
    const leaf = task("leaf", async (depth: number) => depth);
    const nested: ReturnType<typeof workflow<number, number>> = workflow("nested", async (ctx: WorkflowExecutionContext<number>) =>
      ctx.input === 0 ? ctx.run(leaf, 0) : 1 + (await ctx.call(nested, ctx.input - 1)));
    const engine = new Engine({ store });
    const ctx = await nested.run(120, { engine, executionId: "root-execution-with-a-fairly-long-readable-name" });
    expect(ctx.output).toBe(120);
    const ids = (await store.list({ limit: 1000 })).executions.map((s) => s.executionId);
    expect(ids).toHaveLength(121);
    expect(Math.max(...ids.map((id) => id.length))).toBeLessThanOrEqual(200);
    expect(ids.every((id) => id.startsWith("root-execution-with-a-fairly-long-readable-name"))).toBe(true);
    const again = await nested.run(120, { engine: new Engine({ store }), executionId: ctx.executionId });
    expect(again.output).toBe(120);
    expect((await store.list({ limit: 1000 })).executions).toHaveLength(121);
  });
});
