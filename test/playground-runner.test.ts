/**
 * The playground's runner without a browser (no Web Locks in Node: each run just runs), on the
 * memory store, with its sources in fake-indexeddb: events are sent through the postbox and the
 * runner continues the execution with its own code; event waits' timeouts are kept by its
 * timers, after a "reload" too; cancellation of a paused and of a running execution.
 */
import "fake-indexeddb/auto";
import { Engine, MemoryStore, type ExecutionSummary } from "flux-ts";
import { afterEach, describe, expect, it } from "vitest";
import { createPostbox } from "../playground/src/engine-setup.js";
import { exampleById } from "../playground/src/examples/index.js";
import { exportHistory, importHistory } from "../playground/src/history-io.js";
import { Runner } from "../playground/src/runner.js";
import { SourceStore } from "../playground/src/source-store.js";
import { movesOnWithoutResume, WakeTimers } from "../playground/src/wake-timers.js";

const approval = exampleById("approval-by-event")!;
let databases = 0;
const runners: Runner[] = [];

/** A page: an engine on `store`, its sources (database `sourcesName`), its runner. */
function page(store = new MemoryStore(), sourcesName = `sources-${++databases}`) {
  const engine = new Engine({ store });
  const runner = new Runner(engine, new SourceStore(sourcesName), createPostbox(engine));
  runners.push(runner);
  return { engine, store, runner, sourcesName };
}

afterEach(() => {
  for (const runner of runners.splice(0)) runner.timers.stop();
});

const start = (runner: Runner, input: object, source = approval.source) =>
  runner.start({ exampleId: approval.id, title: approval.title, source, input: JSON.stringify(input) }, input);
const stateOf = async (store: MemoryStore, id: string) => (await store.get(id))?.state;
const outputOf = async (engine: Engine, id: string) => (await engine.inspect(id))?.output;

describe("playground runner: events", () => {
  it("sends an event and continues the execution with its own code, not the engine's first workflow of that name", async () => {
    const { engine, store, runner } = page();
    const first = await start(runner, { id: "order-1", amount: 1, timeoutMs: 60_000 });
    await expect.poll(() => stateOf(store, first)).toBe("paused");
    // The same workflow name, edited code: the engine already knows "approval_by_event" as the first one.
    const edited = await start(runner, { id: "order-2", amount: 2, timeoutMs: 60_000 }, approval.source.replace("and shipped", "and sent by courier"));
    await expect.poll(() => stateOf(store, edited)).toBe("paused");

    const sent = await runner.sendEvent(edited, "approval", { approved: true, by: "Ada" });
    expect(sent).toEqual({ event: expect.objectContaining({ seq: 1, name: "approval" }), continued: true });
    await expect.poll(() => stateOf(store, edited)).toBe("succeeded");
    expect(await outputOf(engine, edited)).toBe("order-2 approved by Ada and sent by courier");
    expect(await stateOf(store, first)).toBe("paused");

    // An event of a name no wait has waits in the inbox: nothing runs.
    expect(await runner.sendEvent(first, "other", 1)).toEqual({ event: expect.objectContaining({ seq: 1, name: "other" }), continued: false });
    expect(await stateOf(store, first)).toBe("paused");
    expect((await store.pending(first)).map((e) => e.name)).toEqual(["other"]);
  });

  it("moves an event wait on when its timeout passes, by the runner's timer", async () => {
    const { engine, store, runner } = page();
    const id = await start(runner, { id: "order-3", amount: 3, timeoutMs: 300 });
    await expect.poll(() => stateOf(store, id)).toBe("paused");
    await runner.schedule();
    expect(runner.timers.pending.get(id)).toBe((await store.get(id))!.wakeAt);
    await expect.poll(() => stateOf(store, id), { timeout: 5_000 }).toBe("succeeded");
    expect(await outputOf(engine, id)).toBe("order-3 expired: no approval within 0.3 s");
    expect(runner.timers.pending.has(id)).toBe(false);
  });

  it("after a reload, sends an event with the code kept for the execution, and times out what came due meanwhile", async () => {
    const before = page();
    before.runner.timers.refresh = async () => undefined; // this page goes away before any timeout: its timers never fire
    const waiting = await start(before.runner, { id: "order-4", amount: 4, timeoutMs: 60_000 }, approval.source.replace("and shipped", "and shipped (v2)"));
    const expiring = await start(before.runner, { id: "order-5", amount: 5, timeoutMs: 200 });
    await expect.poll(() => stateOf(before.store, waiting)).toBe("paused");
    await expect.poll(() => stateOf(before.store, expiring)).toBe("paused");

    const after = page(before.store, before.sourcesName);
    await expect.poll(async () => {
      await after.runner.schedule();
      return stateOf(after.store, expiring);
    }, { timeout: 5_000 }).toBe("succeeded");
    expect(await outputOf(after.engine, expiring)).toBe("order-5 expired: no approval within 0.2 s");

    expect((await after.runner.sendEvent(waiting, "approval", "Grace")).continued).toBe(true);
    await expect.poll(() => stateOf(after.store, waiting)).toBe("succeeded");
    expect(await outputOf(after.engine, waiting)).toBe("order-4 approved by Grace and shipped (v2)");
  });

  it("continues an imported history waiting on an event (its summary has no waits: its log decides)", async () => {
    const from = page();
    const id = await start(from.runner, { id: "order-10", amount: 10, timeoutMs: 60_000 });
    await expect.poll(() => stateOf(from.store, id)).toBe("paused");
    const to = page();
    expect(await importHistory(to.store, await exportHistory(from.store, id))).toBe(id);
    expect((await to.store.get(id))?.waits).toBeUndefined();
    await to.runner.sources.save({ executionId: id, exampleId: approval.id, title: approval.title, source: approval.source, input: "", savedAt: Date.now() });
    expect(await to.runner.sendEvent(id, "approval", "Linus")).toMatchObject({ continued: true });
    await expect.poll(() => stateOf(to.store, id)).toBe("succeeded");
    expect(await outputOf(to.engine, id)).toBe("order-10 approved by Linus and shipped");
  });
});

describe("playground runner: cancellation", () => {
  it("cancels a paused execution, with its reason", async () => {
    const { engine, store, runner } = page();
    const id = await start(runner, { id: "order-6", amount: 6, timeoutMs: 60_000 });
    await expect.poll(() => stateOf(store, id)).toBe("paused");
    expect(await runner.cancel(id, "the customer left")).toEqual({ executionId: id, state: "cancelled", cancelled: true });
    expect(await outputOf(engine, id)).toMatchObject({ name: "CancelledError", reason: "the customer left" });
    expect(await runner.cancel(id)).toEqual({ executionId: id, state: "cancelled", cancelled: false });
    expect(runner.active.size).toBe(0);
  });

  it("cancels an execution this tab is running: it stops at once", async () => {
    const { engine, store, runner } = page();
    let taskStarted = false;
    engine.subscribe((notice) => {
      if (notice.kind === "event" && notice.event.type === "TASK_STARTED") taskStarted = true;
    });
    const source = `import { task, workflow } from "flux-ts";
const forever = task.withContext("forever", (tc) => new Promise((resolve) => tc.signal.addEventListener("abort", () => resolve("stopped"))));
export default workflow("runs_until_cancelled", async (ctx) => ctx.run(forever));
`;
    const id = await runner.start({ title: "forever", source, input: "" }, undefined);
    await expect.poll(() => taskStarted).toBe(true);
    expect(runner.active.has(id)).toBe(true);
    expect(await runner.cancel(id)).toEqual({ executionId: id, state: "cancelled", cancelled: true });
    await expect.poll(() => runner.active.has(id)).toBe(false);
    expect(await stateOf(store, id)).toBe("cancelled");
  });
});

describe("playground wake timers", () => {
  const summary = (over: Partial<ExecutionSummary>): ExecutionSummary => ({
    executionId: "e", workflow: "w", state: "paused", events: 3, createdAt: 0, updatedAt: 0, wakeAt: 10,
    waits: [{ kind: "event", stepId: "2", name: "approval", until: 10 }], ...over,
  });

  it("wake what moves on without a resume: no pause point, a top-level execution, due", () => {
    expect(movesOnWithoutResume(summary({}), 10)).toBe(true);
    expect(movesOnWithoutResume(summary({}), 9)).toBe(false);
    expect(movesOnWithoutResume(summary({}))).toBe(true);
    expect(movesOnWithoutResume(summary({ waits: [{ kind: "pause", stepId: "1", name: "p" }, { kind: "event", stepId: "2", name: "a", until: 10 }] }), 10)).toBe(false);
    expect(movesOnWithoutResume(summary({ waits: [{ kind: "pause", stepId: "1", name: "p" }], cancel: { time: 5 } }), 10)).toBe(true);
    expect(movesOnWithoutResume(summary({ parentId: "top" }), 10)).toBe(false);
    expect(movesOnWithoutResume(summary({ state: "running" }), 10)).toBe(false);
    expect(movesOnWithoutResume(summary({ wakeAt: undefined }), 10)).toBe(false);
  });

  it("try each execution once per wake time, not in a loop", async () => {
    const woken: string[] = [];
    let due = [{ executionId: "e", wakeAt: Date.now() }];
    const timers = new WakeTimers(async () => due, async (id) => {
      woken.push(id);
      throw new Error("its code failed");
    });
    await timers.refresh();
    await expect.poll(() => woken).toEqual(["e"]);
    await timers.refresh();
    expect(timers.pending.size).toBe(0);
    due = [{ executionId: "e", wakeAt: Date.now() + 1 }]; // a new wake time: tried again
    await timers.refresh();
    await expect.poll(() => woken).toEqual(["e", "e"]);
    timers.stop();
  });
});
