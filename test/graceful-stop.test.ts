// A stop is not a crash: engine.close() takes no new work, lets running steps finish and commit,
// suspends what is left and gives its leases up, then closes the store; a restart carries on at
// once with no step body run twice.
import { describe, expect, test } from "vitest";
import { Engine, MemoryStore, ShuttingDownError, VirtualClock, task, workflow, type StateStore } from "flux-ts";

/** A store whose close only marks it closed, so that a "restarted" engine can open the same data. */
class Reopenable extends MemoryStore {
  closed = 0;
  override async close(): Promise<void> {
    this.closed += 1;
  }
}

function steps() {
  const runs: Record<string, number> = {};
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const step = task("stop_step", async (name: string, waitForGate: boolean) => {
    runs[name] = (runs[name] ?? 0) + 1;
    if (waitForGate && runs[name] === 1) await gate;
    return name;
  });
  return { runs, step, release };
}

async function restartAndFinish(store: StateStore, workflows: Parameters<typeof Engine.prototype.register>, clock?: VirtualClock) {
  const restarted = new Engine({ store, workflows, ...(clock === undefined ? {} : { clock }) });
  // The lease was given up: the next runner takes the execution at once, not after a TTL.
  expect(await restarted.wakeDue()).toBe(1);
  return restarted;
}

describe("engine.close() stops gracefully", () => {
  test("a running step finishes and commits; the run is suspended and a restart carries it on at once", async () => {
    const store = new Reopenable();
    const { runs, step, release } = steps();
    const wf = workflow("stoppable", async (ctx) => {
      await ctx.run(step, "one", true);
      await ctx.run(step, "two", false);
      return "done";
    });
    const engine = new Engine({ store, workflows: [wf] });
    const run = wf.run(undefined, { engine, executionId: "stop-1" }).catch((e: unknown) => e);
    await expect.poll(() => runs.one).toBe(1);
    const closing = engine.close({ grace: 60_000 });
    // No new work while closing.
    const refused = await wf.run(undefined, { engine }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShuttingDownError);
    release();
    await closing;
    const error = await run;
    expect(error).toBeInstanceOf(ShuttingDownError);
    expect((error as ShuttingDownError).executionId).toBe("stop-1");
    const summary = await store.get("stop-1");
    expect(summary?.state).toBe("running");
    expect(summary?.lease?.expiresAt).toBeLessThanOrEqual(Date.now());
    expect((await store.load("stop-1")).filter((e) => e.type === "TASK_COMPLETED").map((e) => e.sourceId)).toEqual(["1"]);
    expect(store.closed).toBe(1);
    const restarted = await restartAndFinish(store, [wf]);
    expect((await restarted.inspect("stop-1"))?.output).toBe("done");
    expect(runs).toEqual({ one: 1, two: 1 });
  });

  test("a held sleep stops at once: the execution is suspended on its timer, woken when due after a restart", async () => {
    const store = new Reopenable();
    const clock = new VirtualClock({ start: 0 });
    const after = task("after_nap", async () => "awake");
    const wf = workflow("napper_stop", async (ctx) => { await ctx.sleep(10_000); return ctx.run(after); });
    const engine = new Engine({ store, clock, workflows: [wf] });
    const run = wf.run(undefined, { engine, executionId: "nap-1" }).catch((e: unknown) => e);
    await expect.poll(async () => (await store.load("nap-1")).length).toBe(2);
    const started = Date.now();
    await engine.close({ grace: 60_000 });
    expect(Date.now() - started).toBeLessThan(30_000);
    // It suspended (paused on its timer) rather than being cut off.
    expect((await run as { paused?: boolean }).paused).toBe(true);
    expect(await store.get("nap-1")).toMatchObject({ state: "paused", wakeAt: 10_000 });
    clock.advance(10_000);
    const restarted = await restartAndFinish(store, [wf], clock);
    expect((await restarted.inspect("nap-1"))?.output).toBe("awake");
  });

  test("a step still running when the grace period ends is cut off: it runs again after the restart, nothing recorded does", async () => {
    const store = new Reopenable();
    const { runs, step } = steps();
    const wf = workflow("slow_stop", async (ctx) => {
      await ctx.run(step, "quick", false);
      await ctx.run(step, "slow", true);
      return "done";
    });
    const engine = new Engine({ store, workflows: [wf] });
    const run = wf.run(undefined, { engine, executionId: "cut-1" }).catch((e: unknown) => e);
    await expect.poll(() => runs.slow).toBe(1);
    await engine.close({ grace: 20 });
    expect(await run).toBeInstanceOf(ShuttingDownError);
    const restarted = await restartAndFinish(store, [wf]);
    expect((await restarted.inspect("cut-1"))?.output).toBe("done");
    expect(runs).toEqual({ quick: 1, slow: 2 });
  });

  test("closing twice returns the first close; an idle engine closes at once", async () => {
    const store = new Reopenable();
    const engine = new Engine({ store });
    const a = engine.close();
    expect(engine.close()).toBe(a);
    await a;
    expect(store.closed).toBe(1);
  });
});
