// Named queues in one process: the same semantics as across a fleet (test/fleet-queues-postgres),
// on the memory store and on SQLite: a start beyond the limit waits in state "queued" and is never
// lost, at most `concurrency` run at once, `perRunner` per engine, `rate` per window, in start order.
import { afterEach, describe, expect, test, vi } from "vitest";
import { join } from "node:path";
import {
  Engine, MemoryStore, NotResumableError, UsageError, VirtualClock, queue, task, workflow, type StateStore, type WorkflowExecutionContext,
} from "flux-ts";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { createRouter } from "../src/http/index.js";
import { mostAtOnce, orderBreaks, type QueueTraceEntry } from "./support/queue-trace.js";
import { tempDir } from "./support/temp-dir.js";

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.allSettled(engines.splice(0).map((engine) => engine.close({ grace: 1000 })));
});

function engineOn(store: StateStore, options: ConstructorParameters<typeof Engine>[0] = {}): Engine {
  const engine = new Engine({ store, leaseTtl: 5000, dispatcher: { pollInterval: 50 }, ...options });
  engines.push(engine);
  return engine;
}

/** A workflow on `q` whose one task records its begin and end in `trace` (its input: its start index), tagged by `runner`. */
function tracedWorkflow(q: ReturnType<typeof queue>, trace: (QueueTraceEntry & { runner: string })[], runner: string) {
  const work = task("work", async (index: number) => {
    trace.push({ kind: "begin", index, runner });
    await new Promise((resolve) => setTimeout(resolve, 2));
    trace.push({ kind: "end", index, runner });
    return index;
  });
  return workflow("traced", async (ctx: WorkflowExecutionContext<number>) => ctx.run(work, ctx.input), { queue: q });
}

const stores: { name: string; open: () => Promise<StateStore> }[] = [
  { name: "memory", open: async () => new MemoryStore() },
  { name: "SQLite", open: () => openSqliteStore(join(tempDir("flux-queues-"), "flux.db")) },
];

describe.each(stores)("queues on the $name store, in one process", ({ open }) => {
  test("60 starts on a queue of concurrency 3 across two engines: never more than 3 at once, all succeed, in start order", async () => {
    const store = await open();
    const q = queue("jobs", { concurrency: 3 });
    const trace: (QueueTraceEntry & { runner: string })[] = [];
    const a = engineOn(store, { workflows: [tracedWorkflow(q, trace, "a")] }).startDispatcher();
    const b = engineOn(store, { workflows: [tracedWorkflow(q, trace, "b")] }).startDispatcher();
    const started: { executionId: string; result: Promise<WorkflowExecutionContext<number, number>> }[] = [];
    for (let i = 0; i < 60; i += 1) started.push(await (i % 2 === 0 ? a : b).start(a.workflow("traced") as never, i));
    const results = await Promise.all(started.map((s) => s.result));
    expect(results.map((ctx) => ctx.state)).toEqual(Array(60).fill("succeeded"));
    expect(results.map((ctx) => ctx.output)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(trace.filter((entry) => entry.kind === "begin").length).toBe(60);
    expect(mostAtOnce(trace)).toBeLessThanOrEqual(3);
    expect(mostAtOnce(trace)).toBeGreaterThan(1); // the limit is used, not one at a time
    expect(orderBreaks(trace, 3)).toEqual([]);
    expect(new Set(trace.map((entry) => entry.runner))).toEqual(new Set(["a", "b"]));
    expect((await store.list({ state: "queued" })).executions).toEqual([]);
  });

  test("a start beyond the limit is recorded as queued at once, inspectable and listed, and runs when a slot frees", async () => {
    const store = await open();
    const q = queue("one", { concurrency: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hold = task("hold", async (n: number) => {
      if (n === 0) await gate;
      return n * 10;
    });
    const wf = workflow("gated", async (ctx: WorkflowExecutionContext<number>) => ctx.run(hold, ctx.input), { queue: q });
    const engine = engineOn(store, { workflows: [wf] });
    const first = await engine.start(wf, 0);
    await vi.waitFor(async () => expect((await store.get(first.executionId))?.state).toBe("running"), { timeout: 10_000 });
    const second = await engine.start(wf, 1, { executionId: "second" });
    expect(await store.get("second")).toMatchObject({ state: "queued", queue: "one", events: 1 });
    expect((await engine.list({ state: "queued" })).executions.map((s) => s.executionId)).toEqual(["second"]);
    expect((await engine.inspect("second"))?.input).toBe(1);
    await expect(engine.resume(wf, "second", "x")).rejects.toBeInstanceOf(NotResumableError);
    // Starting it again by its id waits for it, and starts nothing new.
    const again = engine.run(wf, 1, { executionId: "second" });
    release();
    expect((await first.result).output).toBe(0);
    expect((await second.result).output).toBe(10);
    expect((await again).output).toBe(10);
    expect((await store.load("second")).filter((e) => e.type === "WORKFLOW_STARTED").length).toBe(1);
  });

  test("a queued execution cancelled never runs and holds no slot", async () => {
    const store = await open();
    const q = queue("one", { concurrency: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: number[] = [];
    const hold = task("hold", async (n: number) => {
      ran.push(n);
      if (n === 0) await gate;
      return n;
    });
    const wf = workflow("gated", async (ctx: WorkflowExecutionContext<number>) => ctx.run(hold, ctx.input), { queue: q });
    const engine = engineOn(store, { workflows: [wf] });
    const first = await engine.start(wf, 0);
    const second = await engine.start(wf, 1);
    const third = await engine.start(wf, 2);
    expect((await engine.cancel(second.executionId, "not needed")).state).toBe("cancelled");
    expect((await second.result).state).toBe("cancelled");
    release();
    expect((await third.result).output).toBe(2);
    expect((await first.result).output).toBe(0);
    expect(ran).toEqual([0, 2]);
  });

  test("an engine without a dispatcher that waits on its queued start gets it admitted once another engine frees the slot", async () => {
    const store = await open();
    const q = queue("shared-slot", { concurrency: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hold = task("hold", async () => gate);
    const holder = workflow("holder", async (ctx) => ctx.run(hold), { queue: q });
    const waiter = workflow("waiter", async () => "ran", { queue: q });
    // Each engine runs only its own workflow: the holder's engine cannot admit the waiter.
    const y = engineOn(store, { workflows: [holder] });
    const x = engineOn(store, { workflows: [waiter] });
    const held = await y.start(holder, undefined);
    await vi.waitFor(async () => expect((await store.get(held.executionId))?.state).toBe("running"), { timeout: 10_000 });
    const waiting = x.run(waiter, undefined, { executionId: "waiter-1" });
    await vi.waitFor(async () => expect((await store.get("waiter-1"))?.state).toBe("queued"), { timeout: 10_000 });
    release();
    await held.result;
    expect((await waiting).output).toBe("ran");
  });

  test("perRunner: each engine runs at most its share, the queue at most its concurrency", async () => {
    const store = await open();
    const q = queue("shared", { concurrency: 3, perRunner: 1 });
    const trace: (QueueTraceEntry & { runner: string })[] = [];
    const engine = (name: string) => engineOn(store, { workflows: [tracedWorkflow(q, trace, name)] }).startDispatcher();
    const runners = [engine("a"), engine("b")];
    const started = [];
    for (let i = 0; i < 20; i += 1) started.push(await runners[i % 2]!.start(runners[0]!.workflow("traced") as never, i));
    await Promise.all(started.map((s) => s.result));
    for (const runner of ["a", "b"]) expect(mostAtOnce(trace.filter((entry) => entry.runner === runner))).toBe(1);
    expect(mostAtOnce(trace)).toBeLessThanOrEqual(2);
    expect(orderBreaks(trace, 2)).toEqual([]);
  });

  test("rate: at most rate.limit admissions per window, on the engine's clock; the next come when the window moves", async () => {
    const store = await open();
    const clock = new VirtualClock({ start: 1_700_000_000_000 });
    const q = queue("limited", { concurrency: 10, rate: { limit: 3, per: 1000 } });
    const begun: { index: number; at: number }[] = [];
    const work = task("work", async (index: number) => {
      begun.push({ index, at: clock.now() });
      return index;
    });
    const wf = workflow("rated", async (ctx: WorkflowExecutionContext<number>) => ctx.run(work, ctx.input), { queue: q });
    const engine = engineOn(store, { workflows: [wf], clock });
    const started = [];
    for (let i = 0; i < 8; i += 1) started.push(await engine.start(wf, i));
    await vi.waitFor(() => expect(begun.length).toBe(3), { timeout: 10_000 });
    clock.advance(999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(begun.length).toBe(3); // the window is still full
    clock.advance(1);
    await vi.waitFor(() => expect(begun.length).toBe(6), { timeout: 10_000 });
    clock.advance(1000);
    await vi.waitFor(() => expect(begun.length).toBe(8), { timeout: 10_000 });
    expect((await Promise.all(started.map((s) => s.result))).every((ctx) => ctx.succeeded)).toBe(true);
    const t0 = 1_700_000_000_000;
    expect(begun.map((b) => b.at - t0)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000]);
    expect(begun.map((b) => b.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("queues: the API", () => {
  test("over HTTP: a start beyond the limit answers state queued, GET /executions?state=queued lists it, its id answers it as queued until it runs", async () => {
    const store = new MemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hold = task("hold", async (n: number) => {
      if (n === 0) await gate;
      return n;
    });
    const wf = workflow("gated_http", async (ctx: WorkflowExecutionContext<number>) => ctx.run(hold, ctx.input), { queue: queue("http", { concurrency: 1 }) });
    const app = createRouter(engineOn(store, { workflows: [wf] }));
    const post = (path: string, body: unknown) => app.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect((await (await post("/gated_http?wait=false&execution_id=h0", 0)).json() as { state: string }).state).toBe("queued");
    await vi.waitFor(async () => expect((await store.get("h0"))?.state).toBe("running"), { timeout: 10_000 });
    const second = await post("/gated_http?wait=false&execution_id=h1", 1);
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ execution_id: "h1", state: "queued" });
    const listed = await (await app.request("/executions?state=queued")).json() as { executions: { execution_id?: string; executionId?: string }[] };
    expect(listed.executions.map((e) => e.execution_id ?? e.executionId)).toEqual(["h1"]);
    // Its id answers it as it stands (the idempotency key), queued, and GET /inspect too.
    expect(await (await post("/gated_http?execution_id=h1", 1)).json()).toMatchObject({ execution_id: "h1", state: "queued", output: null });
    expect(await (await app.request("/inspect/h1")).json()).toMatchObject({ execution_id: "h1", state: "queued" });
    release();
    await vi.waitFor(async () => expect(await (await app.request("/inspect/h1")).json()).toMatchObject({ state: "succeeded", output: 1 }), { timeout: 10_000 });
  });


  test("queue() refuses bad names and limits with a UsageError that names them", () => {
    expect(() => queue("", { concurrency: 1 })).toThrow(UsageError);
    expect(() => queue("q", { concurrency: 0 })).toThrow(/concurrency must be a whole number/);
    expect(() => queue("q", { concurrency: 2, perRunner: 1.5 })).toThrow(/perRunner/);
    expect(() => queue("q", { concurrency: 2, rate: { limit: 1, per: 0 } })).toThrow(/rate.per/);
    expect(queue("q", { concurrency: 2, perRunner: 1, rate: { limit: 3, per: 10 } })).toEqual({ name: "q", concurrency: 2, perRunner: 1, rate: { limit: 3, per: 10 } });
  });

  test("a queue declared twice with other limits, and a store that cannot admit, are UsageErrors; nothing is recorded", async () => {
    const store = new MemoryStore();
    const a = workflow("a", () => 1, { queue: queue("q", { concurrency: 1 }) });
    const b = workflow("b", () => 1, { queue: queue("q", { concurrency: 2 }) });
    expect(() => new Engine({ store, workflows: [a, b] })).toThrow(/declared twice/);
    const plain: StateStore = Object.assign(Object.create(store) as StateStore, { admit: undefined });
    const engine = engineOn(plain, { workflows: [a] });
    await expect(engine.start(a, undefined)).rejects.toThrow(/needs a store that admits queued executions/);
    expect((await store.list()).executions).toEqual([]);
  });
});
