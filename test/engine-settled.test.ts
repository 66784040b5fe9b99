// engine.settled(): what the engine set off on its own (a woken run, the parent its child's end
// wakes, a queue's admission after a slot frees) has ended or suspended when it resolves, and it
// never waits on a paused, sleeping or queued execution. No dispatcher runs here: nothing but
// the engine's own follow-ups moves an execution on.
import { afterEach, describe, expect, test } from "vitest";
import { Engine, MemoryStore, queue, task, workflow, type WorkflowExecutionContext } from "flux-ts";

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.allSettled(engines.splice(0).map((engine) => engine.close({ grace: 1000 })));
});

function engineWith(...workflows: Parameters<Engine["register"]>): Engine {
  const engine = new Engine({ store: new MemoryStore(), holdSleepsUpTo: 0, workflows });
  engines.push(engine);
  return engine;
}

/** A promise and its resolve, to hold a task until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe("engine.settled()", () => {
  test("resolves once the run an event woke has ended, not before", async () => {
    const entered = gate();
    const release = gate();
    const held = task("held", async (by: string) => {
      entered.open();
      await release.promise;
      return `approved by ${by}`;
    });
    const approval = workflow("approval", async (ctx) => ctx.run(held, (await ctx.waitForEvent<string>("approval"))!));
    const engine = engineWith(approval);
    expect((await engine.run(approval, null, { executionId: "a-1" })).state).toBe("paused");

    await engine.sendEvent("a-1", "approval", "ana");
    let settled = false;
    const waiting = engine.settled().then(() => (settled = true));
    await entered.promise; // the woken run is in its task: in flight
    expect(settled).toBe(false);
    release.open();
    await waiting;
    expect(await engine.store.get("a-1")).toMatchObject({ state: "succeeded" });
    expect((await engine.inspect("a-1"))?.output).toBe("approved by ana");
  });

  test("covers the chain: an event wakes a child, whose end wakes its parent", async () => {
    const child = workflow("child", async (ctx: WorkflowExecutionContext<string>) => `${ctx.input} signed by ${await ctx.waitForEvent<string>("signature")}`);
    const parent = workflow("parent", async (ctx: WorkflowExecutionContext<string>) => `parent got: ${await ctx.call(child, ctx.input)}`);
    const engine = engineWith(parent, child);
    expect((await engine.run(parent, "contract", { executionId: "p-1" })).state).toBe("paused");
    const childId = (await engine.list({ workflow: "child" })).executions[0]!.executionId;

    await engine.sendEvent(childId, "signature", "ana");
    await engine.settled();
    expect(await engine.store.get(childId)).toMatchObject({ state: "succeeded" });
    expect(await engine.store.get("p-1")).toMatchObject({ state: "succeeded" });
    expect((await engine.inspect("p-1"))?.output).toBe("parent got: contract signed by ana");
  });

  test("covers a queue's admission: the end of the execution holding the only slot admits and runs the next", async () => {
    const oneSlot = queue("one_slot", { concurrency: 1 });
    const slotted = workflow("slotted", async (ctx: WorkflowExecutionContext<{ wait: boolean }>) => (ctx.input.wait ? `after ${await ctx.waitForEvent<string>("go")}` : "ran"), { queue: oneSlot });
    const engine = engineWith(slotted);
    expect(await engine.start(slotted, { wait: true }, { executionId: "q-1" })).toMatchObject({ queued: true });
    await engine.settled();
    expect(await engine.store.get("q-1")).toMatchObject({ state: "paused" });
    await engine.start(slotted, { wait: false }, { executionId: "q-2" });
    await engine.settled();
    expect(await engine.store.get("q-2")).toMatchObject({ state: "queued" });

    await engine.sendEvent("q-1", "go", "now");
    await engine.settled();
    expect(await engine.store.get("q-1")).toMatchObject({ state: "succeeded" });
    expect(await engine.store.get("q-2")).toMatchObject({ state: "succeeded" });
  });

  test("does not wait on what is suspended: a paused, a sleeping and a queued execution; nothing in flight resolves at once", async () => {
    const oneSlot = queue("busy", { concurrency: 1 });
    const waiter = workflow("waiter", async (ctx) => ctx.waitForEvent("never"), { queue: oneSlot });
    const sleeper = workflow("sleeper", async (ctx) => ctx.sleep(3_600_000));
    const engine = engineWith(waiter, sleeper);
    await engine.settled();

    await engine.start(waiter, null, { executionId: "w-1" }); // admitted: it holds the slot, paused
    await engine.start(waiter, null, { executionId: "w-2" }); // queued behind it
    await engine.start(sleeper, null, { executionId: "s-1" });
    await engine.settled();
    expect(await engine.store.get("w-1")).toMatchObject({ state: "paused" });
    expect(await engine.store.get("w-2")).toMatchObject({ state: "queued" });
    expect(await engine.store.get("s-1")).toMatchObject({ state: "paused" });
    await engine.settled(); // still nothing in flight
  });
});
