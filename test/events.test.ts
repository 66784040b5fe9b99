// Named events: ctx.waitForEvent / engine.sendEvent. Durable before sendEvent resolves, buffered
// when sent before the wait or while running, one event per wait in order, a timeout, waits in
// parallel branches, raced with a sleep, in a child (not forwarded from the parent), replayed as
// recorded, and refused for unknown or finished executions.
import { describe, expect, test } from "vitest";
import {
  Engine, ExecutionFinishedError, ExecutionNotFoundError, MemoryStore, NonDeterminismError, SerializationError, VirtualClock,
  task, workflow, type StateStore, type WorkflowExecutionContext,
} from "flux-ts";

const stateOf = async (store: StateStore, id: string) => (await store.get(id))?.state;

describe("ctx.waitForEvent and engine.sendEvent", () => {
  test("a suspended wait is woken by the event, on the same engine at once", async () => {
    const store = new MemoryStore();
    const approval = workflow("await_approval", async (ctx) => `approved by ${(await ctx.waitForEvent<{ by: string }>("approval"))?.by}`);
    const engine = new Engine({ store, workflows: [approval] });
    const first = await approval.run(undefined, { engine });
    expect(first.paused).toBe(true);
    expect(first.events.at(-1)).toMatchObject({ type: "WORKFLOW_PAUSED", value: "event:approval" });
    expect(await store.get(first.executionId)).toMatchObject({ waits: [{ kind: "event", name: "approval", stepId: "1" }] });
    const sent = await engine.sendEvent(first.executionId, "approval", { by: "ana" });
    expect(sent).toMatchObject({ seq: 1, name: "approval" });
    await expect.poll(() => stateOf(store, first.executionId)).toBe("succeeded");
    const done = await engine.inspect(first.executionId);
    expect(done?.output).toBe("approved by ana");
    expect(done?.events.map((e) => e.type)).toContain("EVENT_RECEIVED");
    expect(await store.pending(first.executionId)).toEqual([]);
  });

  test("an event sent before the wait begins waits in the inbox and is taken at once", async () => {
    const store = new MemoryStore();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = task("slow", async () => gate);
    const wf = workflow("early_event", async (ctx) => {
      await ctx.run(slow);
      return ctx.waitForEvent<string>("go");
    });
    const engine = new Engine({ store });
    const run = wf.run(undefined, { engine, executionId: "early" });
    await expect.poll(() => stateOf(store, "early")).toBe("running");
    await engine.sendEvent("early", "go", "now");
    release();
    const ctx = await run;
    expect(ctx.output).toBe("now");
    expect(ctx.events.map((e) => e.type)).not.toContain("WORKFLOW_PAUSED");
  });

  test("events of one name queue in order, one per wait; other names wait for theirs", async () => {
    const store = new MemoryStore();
    const wf = workflow("three_waits", async (ctx) => [await ctx.waitForEvent("n"), await ctx.waitForEvent("n"), await ctx.waitForEvent("n")]);
    const engine = new Engine({ store, workflows: [wf] });
    const first = await wf.run(undefined, { engine });
    for (const value of ["a", "b", "c", "d"]) await engine.sendEvent(first.executionId, "n", value);
    await engine.sendEvent(first.executionId, "other", "x");
    await expect.poll(() => stateOf(store, first.executionId)).toBe("succeeded");
    expect((await engine.inspect(first.executionId))?.output).toEqual(["a", "b", "c"]);
    expect((await store.pending(first.executionId)).map((e) => [e.name, e.payload])).toEqual([["n", '"d"'], ["other", '"x"']]);
  });

  test("a timeout returns undefined when no event came: the dispatcher wakes it when due", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const wf = workflow("maybe_event", async (ctx) => (await ctx.waitForEvent("late", { timeout: 60_000 })) ?? "expired");
    const engine = new Engine({ store, clock, workflows: [wf] });
    const first = await wf.run(undefined, { engine });
    expect(await store.get(first.executionId)).toMatchObject({ state: "paused", wakeAt: 60_000 });
    expect(await engine.wakeDue()).toBe(0);
    clock.advance(60_000);
    expect(await engine.wakeDue()).toBe(1);
    const done = await engine.inspect(first.executionId);
    expect(done?.output).toBe("expired");
    expect(done?.events.map((e) => e.type)).toContain("EVENT_WAIT_TIMED_OUT");
    await expect(engine.sendEvent(first.executionId, "late", 1)).rejects.toBeInstanceOf(ExecutionFinishedError);
  });

  test("waits in parallel branches each take one event; a wait raced with a sleep", async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = new MemoryStore();
    const both = workflow("two_branches", async (ctx) => ctx.parallel((b) => b.waitForEvent("x"), (b) => b.waitForEvent("x")));
    const race = workflow("race_timer", async (ctx) => Promise.race([ctx.waitForEvent("ping"), ctx.sleep(10_000).then(() => "timer")]));
    const engine = new Engine({ store, clock, holdSleepsUpTo: 0, workflows: [both, race] });
    const a = await both.run(undefined, { engine });
    await engine.sendEvent(a.executionId, "x", 1);
    await engine.sendEvent(a.executionId, "x", 2);
    await expect.poll(() => stateOf(store, a.executionId)).toBe("succeeded");
    expect(((await engine.inspect(a.executionId))?.output as number[]).sort()).toEqual([1, 2]);
    const pinged = await race.run(undefined, { engine });
    await engine.sendEvent(pinged.executionId, "ping", "pong");
    await expect.poll(() => stateOf(store, pinged.executionId)).toBe("succeeded");
    expect((await engine.inspect(pinged.executionId))?.output).toBe("pong");
    const timed = await race.run(undefined, { engine });
    clock.advance(10_000);
    await engine.wakeDue();
    expect((await engine.inspect(timed.executionId))?.output).toBe("timer");
  });

  test("in a child: an event sent to the parent's id is not forwarded; the child's id reaches it", async () => {
    const store = new MemoryStore();
    const child = workflow("child_waits", async (ctx) => ctx.waitForEvent<string>("signal"));
    const parent = workflow("parent_of_waiter", async (ctx) => `child got ${await ctx.call(child, null)}`);
    const engine = new Engine({ store, workflows: [parent] });
    const first = await parent.run(undefined, { engine });
    await engine.sendEvent(first.executionId, "signal", "to-parent");
    expect(await stateOf(store, first.executionId)).toBe("paused");
    expect(await stateOf(store, `${first.executionId}.1`)).toBe("paused");
    await engine.sendEvent(`${first.executionId}.1`, "signal", "to-child");
    await expect.poll(() => stateOf(store, first.executionId)).toBe("succeeded");
    expect((await engine.inspect(first.executionId))?.output).toBe("child got to-child");
  });

  test("a replay returns the recorded payload; a changed event name at that step is a NonDeterminismError", async () => {
    const store = new MemoryStore();
    const seen: unknown[] = [];
    const v1 = workflow("evented", async (ctx) => {
      seen.push(await ctx.waitForEvent("first"));
      return ctx.pause("hold");
    });
    // The sender knows no workflow: it records the event and runs nothing; runs go through `runner`.
    const sender = new Engine({ store });
    const runner = new Engine({ store });
    const first = await v1.run(undefined, { engine: runner });
    await sender.sendEvent(first.executionId, "first", { n: 1 });
    expect((await v1.run(undefined, { engine: runner, executionId: first.executionId })).paused).toBe(true); // takes the event, pauses at "hold"
    await v1.resume(first.executionId, undefined, { engine: runner });
    expect(seen).toEqual([{ n: 1 }, { n: 1 }]);
    const a = await v1.run(undefined, { engine: runner });
    await sender.sendEvent(a.executionId, "first", 1);
    await v1.run(undefined, { engine: runner, executionId: a.executionId });
    const v2 = workflow("evented", async (ctx) => { await ctx.waitForEvent("renamed"); return ctx.pause("hold"); });
    const error = await v2.resume(a.executionId, undefined, { engine: runner }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain('step 1 was recorded as a wait for event "first", but the code now calls a wait for event "renamed"');
  });

  test("refused with a clear error for an unknown execution, a bad payload, an empty name", async () => {
    const engine = new Engine({ store: new MemoryStore() });
    await expect(engine.sendEvent("nobody", "x", 1)).rejects.toBeInstanceOf(ExecutionNotFoundError);
    const wf = workflow("w_any", async (ctx: WorkflowExecutionContext) => ctx.waitForEvent("x"));
    const first = await wf.run(undefined, { engine });
    await expect(engine.sendEvent(first.executionId, "x", () => 1)).rejects.toBeInstanceOf(SerializationError);
    await expect(engine.sendEvent(first.executionId, "", 1)).rejects.toThrow("non-empty event name");
    expect(await engine.store.pending(first.executionId)).toEqual([]);
  });

  test("two events sent at once to one wait: one is taken, the other stays for the next wait", async () => {
    const store = new MemoryStore();
    const once = workflow("one_wait", async (ctx) => ctx.waitForEvent("x"));
    const engine = new Engine({ store, workflows: [once] });
    const first = await once.run(undefined, { engine });
    await Promise.all([engine.sendEvent(first.executionId, "x", "a"), new Engine({ store, workflows: [once] }).sendEvent(first.executionId, "x", "b")]);
    await expect.poll(() => stateOf(store, first.executionId)).toBe("succeeded");
    expect((await engine.inspect(first.executionId))?.output).toBe("a");
    expect((await store.pending(first.executionId)).map((e) => e.payload)).toEqual(['"b"']);
    const received = (await store.load(first.executionId)).filter((e) => e.type === "EVENT_RECEIVED");
    expect(received).toHaveLength(1);
  });
});

describe("races", () => {
  test("an event sent during the replay that precedes its wait is taken by that wait", async () => {
    const store = new MemoryStore();
    let sendNow: () => Promise<unknown> = async () => undefined;
    const marker = task("marker", async () => "done");
    const replayed = workflow("replay_race", async (ctx) => {
      await ctx.run(marker);
      await ctx.pause("hold");
      return ctx.waitForEvent<string>("late");
    });
    const engine = new Engine({ store });
    const first = await replayed.run(undefined, { engine });
    // The resume replays "marker" from the log; the event is sent while that replay runs.
    const sender = new Engine({ store });
    sendNow = () => sender.sendEvent(first.executionId, "late", "in time");
    const original = store.load.bind(store);
    let sent = false;
    store.load = async (...args) => {
      const page = await original(...args);
      if (!sent) {
        sent = true;
        await sendNow();
      }
      return page;
    };
    const done = await replayed.resume(first.executionId, undefined, { engine: new Engine({ store }) });
    expect(sent).toBe(true);
    expect(done.output).toBe("in time");
    expect(done.events.map((e) => e.type)).not.toContain("EVENT_WAIT_TIMED_OUT");
  });
});
