// One owner from the first commit: a second runner, started at any point of the first's run (its
// start, inside a step, between steps, at a pause, during a resume), never runs a step body, on
// the memory store, on one SQLite file with a connection per runner, and on D1 in workerd; and
// recovery of a parent with running children ends in one pass.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, describe, expect, test } from "vitest";
import { D1Store } from "../adapters/d1/index.js";
import { fluxTableNames } from "../adapters/sql/sql-schema.js";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import {
  ConflictError, Engine, MemoryStore, VirtualClock, task, workflow, type StateStore, type Workflow,
} from "flux-ts";
import { DyingStore } from "./support/dying-store.js";

/** Two handles on one store's data, as two runners (processes, Workers) have them. */
type Pair = () => Promise<{ first: StateStore; second: () => Promise<StateStore> }>;

let mf: Miniflare | undefined;
const made: string[] = [];
afterAll(async () => {
  await mf?.dispose();
  for (const file of made) rmSync(dirname(file), { recursive: true, force: true });
});

const stores: Record<string, Pair> = {
  memory: async () => {
    const store = new MemoryStore();
    return { first: store, second: async () => store };
  },
  "SQLite (one file, one connection per runner)": async () => {
    const file = join(mkdtempSync(join(tmpdir(), "flux-ownership-")), "flux.db");
    made.push(file);
    return { first: await openSqliteStore(file), second: () => openSqliteStore(file) };
  },
  "D1 in workerd (Miniflare)": async () => {
    mf ??= new Miniflare({ modules: true, script: "export default { fetch: () => new Response('') }", d1Databases: { DB: "flux-ownership" }, compatibilityDate: "2026-04-01" });
    const db = await mf.getD1Database("DB");
    await db.batch([...fluxTableNames].map((table) => db.prepare(`DROP TABLE IF EXISTS ${table}`)));
    return { first: await new D1Store(db).ready(), second: async () => new D1Store(db).ready() };
  },
};

/** A gate a step waits at until the test opens it. */
class Gates {
  readonly #open = new Map<string, () => void>();
  readonly #waiting = new Map<string, Promise<void>>();
  readonly arrived = new Set<string>();
  wait(name: string): Promise<void> {
    this.arrived.add(name);
    let promise = this.#waiting.get(name);
    if (promise === undefined) {
      promise = new Promise<void>((resolve) => this.#open.set(name, resolve));
      this.#waiting.set(name, promise);
    }
    return promise;
  }
  open(name: string): void {
    if (!this.#waiting.has(name)) this.#waiting.set(name, Promise.resolve());
    this.#open.get(name)?.();
  }
}

function gatedWorkflow(gates: Gates) {
  const runs: Record<string, number> = {};
  const step = task("gated_step", async (name: string) => {
    runs[name] = (runs[name] ?? 0) + 1;
    await gates.wait(name);
    return name;
  });
  const wf = workflow("gated", async (ctx) => {
    await ctx.run(step, "one");
    await ctx.run(step, "two");
    const answer = await ctx.pause<string>("approve");
    await ctx.run(step, "three");
    return answer;
  });
  return { wf, runs };
}

/** Everything a second runner can try on `id`; each must refuse (ConflictError) or do nothing. */
async function secondRunnerTries(open: () => Promise<StateStore>, wf: Workflow<unknown, unknown>, id: string): Promise<string[]> {
  const outcomes: string[] = [];
  const note = (what: string) => (value: unknown) => void outcomes.push(`${what}: ${value instanceof Error ? value.name : "ok"}`);
  const store = await open();
  const other = () => new Engine({ store, workflows: [wf] });
  await wf.run(undefined, { engine: other(), executionId: id }).then(note("run"), note("run"));
  await wf.resume(id, "intruder", { engine: other() }).then(note("resume"), note("resume"));
  const recovered = await other().recover({ staleAfter: 0 });
  outcomes.push(`recover: ${recovered.recovered.length}`);
  outcomes.push(`wakeDue: ${await other().wakeDue()}`);
  return outcomes;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe.each(Object.entries(stores))("one owner from the first commit, on %s", (_name, pair) => {
  test("a second runner at every point of a run started with an id runs no step body", async () => {
    const { first: store, second } = await pair();
    const gates = new Gates();
    const { wf, runs } = gatedWorkflow(gates);
    const first = new Engine({ store, workflows: [wf] });
    const { executionId, result } = await first.start(wf, undefined, { executionId: "owned" });
    const seen: string[][] = [];
    // Inside step one, its start recorded with the lease, its body running.
    await expect.poll(() => gates.arrived.has("one")).toBe(true);
    seen.push(await secondRunnerTries(second, wf, executionId));
    gates.open("one");
    // Inside step two (step one committed).
    await expect.poll(() => gates.arrived.has("two")).toBe(true);
    seen.push(await secondRunnerTries(second, wf, executionId));
    gates.open("two");
    expect((await result).paused).toBe(true);
    // Paused: nobody owns it; a resume aimed at the pause is the one thing that moves it.
    const resumed = wf.resume(executionId, "human", { engine: first });
    await expect.poll(() => gates.arrived.has("three")).toBe(true);
    seen.push(await secondRunnerTries(second, wf, executionId));
    gates.open("three");
    expect((await resumed).output).toBe("human");
    for (const outcomes of seen) {
      expect(outcomes).toEqual(["run: ConflictError", "resume: ConflictError", "recover: 0", "wakeDue: 0"]);
    }
    expect(runs).toEqual({ one: 1, two: 1, three: 1 });
  });

  test("a run started without an id is owned from its first commit", async () => {
    const { first: store, second } = await pair();
    const gates = new Gates();
    const { wf, runs } = gatedWorkflow(gates);
    const running = wf.run(undefined, { engine: new Engine({ store, workflows: [wf] }) });
    await expect.poll(() => gates.arrived.has("one")).toBe(true);
    // Nothing is in the store yet: no runner can know of it.
    expect((await store.list()).executions).toEqual([]);
    gates.open("one");
    await expect.poll(() => gates.arrived.has("two")).toBe(true);
    const [summary] = (await store.list()).executions;
    expect(summary?.lease).toBeDefined();
    expect(await secondRunnerTries(second, wf, summary!.executionId)).toEqual(["run: ConflictError", "resume: ConflictError", "recover: 0", "wakeDue: 0"]);
    gates.open("two");
    expect((await running).paused).toBe(true);
    expect(runs).toEqual({ one: 1, two: 1 });
  });

  test("of eight runners resuming one paused execution at once, exactly one runs it", async () => {
    const { first: store, second } = await pair();
    const gates = new Gates();
    gates.open("one");
    gates.open("two");
    gates.open("three");
    const { wf, runs } = gatedWorkflow(gates);
    const paused = await wf.run(undefined, { engine: new Engine({ store }) });
    const handles = await Promise.all(Array.from({ length: 8 }, () => second()));
    const outcomes = await Promise.allSettled(handles.map((handle, i) => wf.resume(paused.executionId, `r${i}`, { engine: new Engine({ store: handle }) })));
    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "rejected").every((o) => (o as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
    expect(runs.three).toBe(1);
    expect((await store.load(paused.executionId)).filter((e) => e.type === "TASK_RESUMED")).toHaveLength(1);
  });

  // Found by the composed crash test: a resume forwarded to a paused child whose lease another
  // runner holds (it claimed the child to resume it and has not committed yet, or died there)
  // must be refused like a resume of the child itself, not resolve with the value dropped.
  test("a resume forwarded to a paused child that another runner holds is refused, not dropped", async () => {
    const { first: store } = await pair();
    const approval = workflow("held_approval", async (ctx) => ctx.pause<string>("approve"));
    const parent = workflow("held_parent", async (ctx) => ctx.call(approval, null));
    const first = await parent.run(null, { engine: new Engine({ store }) });
    const childId = `${first.executionId}.1`;
    const now = Date.now();
    await store.lease(childId, "other-runner", { now, expiresAt: now + 60_000 });
    await expect(approval.resume(childId, "direct", { engine: new Engine({ store }) })).rejects.toBeInstanceOf(ConflictError);
    const forwarded = await parent.resume(first.executionId, "forwarded", { engine: new Engine({ store }) }).then(
      (ctx) => `resolved, ${ctx.state}`,
      (error: unknown) => (error instanceof ConflictError ? "ConflictError" : String(error)),
    );
    expect((await store.load(childId)).filter((e) => e.type === "TASK_RESUMED")).toEqual([]);
    expect(forwarded).toBe("ConflictError");
  });
});

describe("recovery of a parent and its children", () => {
  test("ends in one pass: the parent waits on the child recovered with it", async () => {
    const clock = new VirtualClock({ start: 0 });
    const memory = new MemoryStore();
    // The first runner's store: once it "dies", nothing it does reaches the store any more.
    const dying = new DyingStore(memory);
    const runs: Record<string, number> = {};
    let hang = true;
    const work = task("work", async (label: string) => {
      runs[label] = (runs[label] ?? 0) + 1;
      if (hang && label === "child") await new Promise(() => {});
      return label;
    });
    const child = workflow("rec_child", async (ctx) => ctx.run(work, "child"));
    const parent = workflow("rec_parent", async (ctx) => {
      await ctx.run(work, "before");
      const fromChild = await ctx.call(child, null);
      return ctx.run(work, `after ${fromChild}`);
    });
    const first = new Engine({ store: dying, clock, leaseTtl: 1_000 });
    void parent.run(null, { engine: first, executionId: "rp" });
    await expect.poll(() => runs.child).toBe(1);
    dying.dead = true;
    clock.advance(5_000);
    hang = false;
    expect(await memory.get("rp")).toMatchObject({ state: "running" });
    expect(await memory.get("rp.2")).toMatchObject({ state: "running", parentId: "rp" });
    const rescuer = new Engine({ store: memory, clock, workflows: [parent, child] });
    const report = await rescuer.recover();
    expect(report.recovered.sort()).toEqual(["rp", "rp.2"]);
    expect(await memory.get("rp")).toMatchObject({ state: "succeeded" });
    expect((await rescuer.inspect("rp"))?.output).toBe("after child");
    // The child's step was in flight when its runner died: it runs once more (at-least-once);
    // the recorded "before" does not.
    expect(runs).toEqual({ before: 1, child: 2, "after child": 1 });
    await tick();
  });
});
