import { describe, expect, test } from "vitest";
import { ConflictError, Engine, MemoryStore, StoreError, task, VirtualClock, workflow, type StateStore } from "flux-ts";

/**
 * A step that hangs while `gate.open` is false: the runner stuck in it stands for a dead process.
 * The last step waits for `gate.last`, when set.
 */
function hangingWorkflow(gate: { open: boolean; last?: Promise<void> }, runs: Record<string, number>) {
  const work = task("work", async (label: string) => {
    runs[label] = (runs[label] ?? 0) + 1;
    if (label === "stuck" && !gate.open) await new Promise(() => {});
    if (label === "last") await gate.last;
    return label;
  });
  return workflow("recoverable", async (ctx) => {
    await ctx.run(work, "first");
    await ctx.pause("go");
    await ctx.run(work, "stuck");
    return ctx.run(work, "last");
  });
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `condition` holds (checked every few ms; the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await tick(5);
}

/**
 * `store` seen through a handle whose `lease` calls can be frozen: `freeze` resolves once no call
 * is in flight, and later calls wait until `thaw`. Everything else goes straight to `store`.
 */
function freezableLeases(store: StateStore) {
  let inFlight = 0;
  let thawed: Promise<void> | undefined;
  let thaw = () => {};
  const handle = new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (key !== "lease") return typeof value === "function" ? value.bind(target) : value;
      return async (...args: Parameters<StateStore["lease"]>) => {
        while (thawed !== undefined) await thawed;
        inFlight += 1;
        try {
          return await target.lease(...args);
        } finally {
          inFlight -= 1;
        }
      };
    },
  });
  return {
    store: handle,
    async freeze() {
      thawed = new Promise<void>((resolve) => (thaw = () => {
        thawed = undefined;
        resolve();
      }));
      await until(() => inFlight === 0);
    },
    thaw: () => thaw(),
  };
}

describe("crash recovery with leases", () => {
  test("recover() replays an execution left running, without re-running recorded steps", async () => {
    const store = new MemoryStore();
    let releaseLast = () => {};
    const gate = { open: false, last: new Promise<void>((resolve) => (releaseLast = resolve)) };
    const runs: Record<string, number> = {};
    const wf = hangingWorkflow(gate, runs);
    // The stuck runner's lease renewals reach the store only while it is not frozen: frozen, it
    // stands for a dead process (whatever the machine's load), and thawed, its next renewal runs.
    const frozen = freezableLeases(store);
    const dead = new Engine({ store: frozen.store, leaseTtl: 60 });
    const paused = await wf.run(undefined, { engine: dead });
    const deadRun = wf.resume(paused.executionId, undefined, { engine: dead }).catch((e: unknown) => e);
    await until(() => runs["stuck"] === 1);
    await frozen.freeze();
    expect((await store.get(paused.executionId))?.state).toBe("running");
    // The dead runner's lease lapses (set to have expired).
    await store.lease(paused.executionId, dead.runnerId, { now: 0, expiresAt: 0 });
    gate.open = true;
    const rescuer = new Engine({ store, workflows: [wf] });
    const recovering = rescuer.recover({ staleAfter: 0 });
    // While the rescuer holds the lease (inside the last step), the stuck runner's next renewal
    // finds that it lost the lease, and the stuck runner stops.
    await until(() => runs["last"] === 1);
    frozen.thaw();
    expect(await deadRun).toBeInstanceOf(ConflictError);
    releaseLast();
    const report = await recovering;
    expect(report.recovered).toEqual([paused.executionId]);
    expect((await rescuer.inspect(paused.executionId))?.output).toBe("last");
    expect(runs).toEqual({ first: 1, stuck: 2, last: 1 });
  });

  test("a live runner's lease keeps others from recovering its execution", async () => {
    const store = new MemoryStore();
    const gate = { open: false };
    const runs: Record<string, number> = {};
    const wf = hangingWorkflow(gate, runs);
    const live = new Engine({ store, leaseTtl: 60_000 });
    const paused = await wf.run(undefined, { engine: live });
    void wf.resume(paused.executionId, undefined, { engine: live }).catch(() => undefined);
    await until(() => runs["stuck"] === 1);
    const other = new Engine({ store, workflows: [wf] });
    const report = await other.recover({ staleAfter: 0 });
    expect(report.recovered).toEqual([]);
    expect(report.skipped[0]?.reason).toContain(`is being run by another runner (${live.runnerId}`);
    const direct = await wf.resume(paused.executionId, undefined, { engine: other }).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ConflictError);
  });

  test("an expired lease is taken over: a runner that stopped renewing loses the execution", async () => {
    const store = new MemoryStore();
    let dead = false;
    const gone = () => Promise.reject(new StoreError("the process is gone"));
    const failing: StateStore = {
      commit: (id, events, options) => (dead ? gone() : store.commit(id, events, options)),
      commitBatch: (commits) => (dead ? gone() : store.commitBatch(commits)),
      lease: (id, owner, times) => (dead ? gone() : store.lease(id, owner, times)),
      deliver: (id, event) => (dead ? gone() : store.deliver(id, event)),
      requestCancel: (id, request) => (dead ? gone() : store.requestCancel(id, request)),
      pending: (id) => store.pending(id),
      load: (id, page) => store.load(id, page),
      get: (id) => store.get(id),
      list: (options) => store.list(options),
      due: (options) => store.due(options),
      getCached: (key) => store.getCached(key),
      setCached: (key, value) => store.setCached(key, value),
      close: () => store.close(),
    };
    const gate = { open: false };
    const runs: Record<string, number> = {};
    const wf = hangingWorkflow(gate, runs);
    // Lease times come from a clock that moves only when told: the lease lapses when the test says.
    const clock = new VirtualClock({ start: 1_000 });
    const first = new Engine({ store: failing, leaseTtl: 60, clock });
    const paused = await wf.run(undefined, { engine: first });
    void wf.resume(paused.executionId, undefined, { engine: first }).catch(() => undefined);
    await until(() => runs["stuck"] === 1);
    dead = true;
    const rescuer = new Engine({ store, workflows: [wf], clock });
    expect((await rescuer.recover({ staleAfter: 0 })).recovered).toEqual([]);
    clock.advance(100);
    gate.open = true;
    const report = await rescuer.recover({ staleAfter: 0 });
    expect(report.recovered).toEqual([paused.executionId]);
    expect((await rescuer.inspect(paused.executionId))?.succeeded).toBe(true);
    expect(runs.first).toBe(1);
  });

  test("recover() leaves alone what the same engine is running (a long step looks stale)", async () => {
    const store = new MemoryStore();
    const gate = { open: false };
    const runs: Record<string, number> = {};
    const wf = hangingWorkflow(gate, runs);
    const engine = new Engine({ store, workflows: [wf] });
    const paused = await wf.run(undefined, { engine });
    void wf.resume(paused.executionId, undefined, { engine }).catch(() => undefined);
    await until(() => runs["stuck"] === 1);
    const report = await engine.recover({ staleAfter: 0 });
    expect(report.recovered).toEqual([]);
    expect(report.skipped).toEqual([{ executionId: paused.executionId, reason: "this engine is running it" }]);
    expect(runs.stuck).toBe(1);
  });

  test("a finished or paused execution is never recovered", async () => {
    const store = new MemoryStore();
    const wf = hangingWorkflow({ open: true }, {});
    const engine = new Engine({ store, workflows: [wf] });
    await wf.run(undefined, { engine });
    const report = await engine.recover({ staleAfter: 0 });
    expect(report).toEqual({ recovered: [], skipped: [] });
  });
});

describe("engine.start", () => {
  test("resolves once the start is durable, before the run ends; result settles as run would", async () => {
    const store = new MemoryStore();
    const gate = { open: false };
    const wf = hangingWorkflow(gate, {});
    const engine = new Engine({ store });
    const { executionId, result } = await engine.start(wf, undefined);
    expect((await store.load(executionId))[0]?.type).toBe("WORKFLOW_STARTED");
    const ctx = await result;
    expect(ctx.paused).toBe(true);
    expect(ctx.executionId).toBe(executionId);
  });
});

describe("one engine, one run per execution", () => {
  test("a second resume of an execution this engine is running fails at once with ConflictError; the body runs once", async () => {
    const store = new MemoryStore();
    let bodies = 0;
    const slow = task("after_pause", async () => {
      bodies += 1;
      await tick(30);
      return "done";
    });
    const wf = workflow("one_at_a_time", async (ctx) => { await ctx.pause("go"); return ctx.run(slow); });
    const engine = new Engine({ store });
    const paused = await wf.run(undefined, { engine });
    const [first, second] = await Promise.allSettled([
      wf.resume(paused.executionId, 1, { engine }),
      wf.resume(paused.executionId, 2, { engine }),
    ]);
    expect(first.status).toBe("fulfilled");
    expect(second.status).toBe("rejected");
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(((second as PromiseRejectedResult).reason as Error).message).toContain("is already running on this engine");
    expect(bodies).toBe(1);
    expect((await store.load(paused.executionId)).filter((e) => e.type === "TASK_RESUMED")).toHaveLength(1);
    // Once the first run ended, the execution can be run again on the same engine.
    expect((await wf.run(undefined, { engine, executionId: paused.executionId })).output).toBe("done");
  });
});
