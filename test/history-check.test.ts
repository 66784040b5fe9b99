/**
 * checkExecution / checkHistory (what flux check, GET /executions/{id}/check and the playground
 * share): each kind of waiting history replays against its own code without running anything,
 * and a changed code is divergent.
 */
import { afterAll, describe, expect, it } from "vitest";
import { checkExecution, checkHistory, Engine, MemoryStore, task, workflow } from "../src/index.js";

let ran = 0;
const hello = task("hello", async (x: string) => {
  ran += 1;
  return `hi ${x}`;
});
const child = workflow("child", async (ctx) => [await ctx.run(hello, ctx.input as string), await ctx.pause("ok")]);
const childDone = workflow("child_done", async (ctx) => ctx.run(hello, ctx.input as string));
const parent = workflow("parent", async (ctx) => [await ctx.call(childDone, "a"), await ctx.call(child, "b")]);
const sleeper = workflow("sleeper", async (ctx) => {
  const r = await ctx.run(hello, "x");
  await ctx.sleep(60 * 60_000);
  return r;
});
const waiter = workflow("waiter", async (ctx) => {
  await ctx.run(hello, "x");
  return ctx.waitForEvent("go");
});

const store = new MemoryStore();
const engine = new Engine({ store, workflows: [parent, child, childDone, sleeper, waiter], holdSleepsUpTo: 1000 });
afterAll(() => engine.close());

describe("checkExecution", () => {
  it("checks a parent paused on a subworkflow with its children's histories, and their own", async () => {
    const p = await engine.run(parent, undefined);
    expect(p.paused).toBe(true);
    const before = ran;
    expect(await checkExecution(store, parent, p.executionId)).toEqual({ execution_id: p.executionId, workflow: "parent", state: "paused", result: "compatible", steps: 2 });
    const page = await store.list({ workflow: "child" });
    expect(await checkExecution(store, child, page.executions[0]!.executionId)).toMatchObject({ result: "compatible", state: "paused" });
    const reordered = workflow("parent", async (ctx) => [await ctx.call(child, "b"), await ctx.call(childDone, "a")]);
    const divergent = await checkExecution(store, reordered, p.executionId);
    expect(divergent).toMatchObject({ result: "divergent" });
    expect(divergent!.divergence).toMatch(/step 1 was recorded as subworkflow "child_done", but the code now calls subworkflow "child"/);
    expect(ran).toBe(before); // no task body ran
    expect(await checkExecution(store, parent, "nobody")).toBeUndefined();
  });

  it("checks an execution suspended on an hour's sleep at once, without sleeping it", async () => {
    const s = await engine.run(sleeper, undefined);
    expect(s.paused).toBe(true);
    // (A check that slept through the hour would fail on the test's timeout.)
    expect(await checkExecution(store, sleeper, s.executionId)).toMatchObject({ result: "compatible", state: "paused" });
    const noSleep = workflow("sleeper", async (ctx) => ctx.run(hello, "x"));
    expect(await checkExecution(store, noSleep, s.executionId)).toMatchObject({ result: "divergent" });
  });

  it("checks one waiting for an event, and a cancelled one up to where it stopped", async () => {
    const w = await engine.run(waiter, undefined);
    expect(await checkExecution(store, waiter, w.executionId)).toMatchObject({ result: "compatible", state: "paused", steps: 1 });
    await engine.cancel(w.executionId, "no");
    expect(await checkExecution(store, waiter, w.executionId)).toMatchObject({ result: "compatible", state: "cancelled" });
    const other = workflow("waiter", async (ctx) => ctx.run(task("bye", async () => 1)));
    expect(await checkExecution(store, other, w.executionId)).toMatchObject({ result: "divergent", state: "cancelled" });
  });

  it("gives up on code that awaits something not durable, as unchecked", async () => {
    const h = await engine.run(childDone, "z");
    const hangs = workflow("child_done", async () => new Promise(() => undefined));
    const check = await checkHistory(hangs, await store.load(h.executionId), { timeoutMs: 50 });
    expect(check).toMatchObject({ result: "unchecked", reason: expect.stringContaining("did not end within") });
  });
});
