import { expect } from "vitest";
import { ConflictError } from "../../src/errors.js";
import { ExecutionEventType as T } from "../../src/events.js";
import type { StateStore, Wait } from "../../src/state-store.js";
import { type Case, ev, started, T0 } from "./case-context.js";

const pause = (stepId: string, name: string): Wait => ({ kind: "pause", stepId, name });
const timer = (stepId: string, until: number): Wait => ({ kind: "timer", stepId, until });
const child = (stepId: string, executionId: string): Wait => ({ kind: "child", stepId, executionId, workflow: "sub" });

/** Starts `id` (workflow `workflow`), running under `owner`'s lease until `T0 + 1000`. */
async function start(store: StateStore, id: string, options: { workflow?: string; parentId?: string; owner?: string; time?: number } = {}) {
  const time = options.time ?? T0;
  await store.commit(id, started(options.workflow ?? "wf", time), {
    expectedSeq: 0,
    lease: { owner: options.owner ?? "A", now: time, expiresAt: time + 1000 },
    ...(options.parentId === undefined ? {} : { parentId: options.parentId }),
  });
}

/** Suspends `id` (whose log holds `seq` events) on `waits`, at `time`. */
async function suspend(store: StateStore, id: string, seq: number, waits: Wait[], time: number, owner = "A") {
  const timers = waits.flatMap((wait) => (wait.kind === "timer" ? [wait.until] : []));
  await store.commit(id, [ev(seq, T.WORKFLOW_PAUSED, { value: "waiting", time, sourceId: id })], {
    expectedSeq: seq,
    lease: { owner, now: time },
    suspend: { waits, ...(timers.length > 0 ? { wakeAt: Math.min(...timers) } : {}) },
  });
}

/** Ends `id` (whose log holds `seq` events) at `time`. */
async function finish(store: StateStore, id: string, seq: number, time: number, owner = "A") {
  await store.commit(id, [ev(seq, T.WORKFLOW_COMPLETED, { value: "done", time, sourceId: id })], { expectedSeq: seq, lease: { owner, now: time } });
}

async function dueIds(store: StateStore, until: number, options: { limit?: number; workflows?: string[] } = {}): Promise<string[]> {
  return (await store.due({ until, ...options })).map((summary) => summary.executionId);
}

/** Cases about what suspended executions wait on, who runs them, and when they are due. */
export const waitCases = {
  "keeps a subworkflow's parent, a suspension's waits and wake time, and clears them on resume": async ({ create }) => {
    const store = await create();
    await start(store, "p");
    await start(store, "p.1", { parentId: "p", workflow: "sub" });
    expect((await store.get("p.1"))?.parentId).toBe("p");
    expect((await store.get("p"))?.parentId).toBeUndefined();
    const waits = [pause("1", "approval"), timer("2", T0 + 500), child("3", "p.1")];
    await suspend(store, "p", 1, waits, T0 + 10);
    const paused = await store.get("p");
    expect(paused).toMatchObject({ state: "paused", waits, wakeAt: T0 + 500 });
    expect(paused?.lease).toBeUndefined();
    await store.commit("p", [ev(2, T.TASK_RESUMED, { time: T0 + 20 }), ev(3, T.WORKFLOW_RESUMED, { time: T0 + 20 })], {
      expectedSeq: 2,
      lease: { owner: "B", now: T0 + 20, expiresAt: T0 + 3000 },
    });
    const resumed = await store.get("p");
    expect(resumed).toMatchObject({ state: "running", wakeAt: T0 + 3000, lease: { owner: "B", expiresAt: T0 + 3000 } });
    expect(resumed?.waits ?? []).toEqual([]);
    await suspend(store, "p", 4, [pause("5", "again")], T0 + 30, "B");
    expect(await store.get("p")).toMatchObject({ state: "paused", waits: [pause("5", "again")] });
    expect((await store.get("p"))?.wakeAt).toBeUndefined();
  },

  "finds due executions with one query: earliest first, by workflow, within a limit": async ({ create }) => {
    const store = await create();
    const at = [400, 100, 300, 200];
    for (const [i, delay] of at.entries()) {
      await start(store, `t${i}`, { workflow: i % 2 === 0 ? "even" : "odd" });
      await suspend(store, `t${i}`, 1, [timer("1", T0 + delay)], T0 + 1);
    }
    await start(store, "human");
    await suspend(store, "human", 1, [pause("1", "approval")], T0 + 1);
    await start(store, "done");
    await finish(store, "done", 1, T0 + 2);
    expect(await dueIds(store, T0 + 99)).toEqual([]);
    expect(await dueIds(store, T0 + 250)).toEqual(["t1", "t3"]);
    expect(await dueIds(store, T0 + 10_000)).toEqual(["t1", "t3", "t2", "t0"]);
    expect(await dueIds(store, T0 + 10_000, { workflows: ["even"] })).toEqual(["t2", "t0"]);
    expect(await dueIds(store, T0 + 10_000, { workflows: [] })).toEqual([]);
    expect(await dueIds(store, T0 + 10_000, { limit: 3 })).toEqual(["t1", "t3", "t2"]);
    const [first] = await store.due({ until: T0 + 10_000, limit: 1 });
    expect(first).toEqual(await store.get("t1"));
  },

  "makes a paused parent due when its child finishes, in the child's commit": async ({ create }) => {
    const store = await create();
    await start(store, "p");
    await start(store, "c", { parentId: "p", workflow: "sub" });
    await suspend(store, "p", 1, [child("1", "c")], T0 + 10);
    expect((await store.get("p"))?.wakeAt).toBeUndefined();
    expect(await dueIds(store, T0 + 999)).toEqual([]);
    await finish(store, "c", 1, T0 + 50);
    expect(await dueIds(store, T0 + 60)).toEqual(["p"]);
    expect((await store.get("p"))?.wakeAt).toBe(T0 + 50);
    // A parent that is running (or finished) is left alone: it reads its children itself.
    await start(store, "q");
    await start(store, "d", { parentId: "q", workflow: "sub" });
    await finish(store, "d", 1, T0 + 70);
    expect(await store.get("q")).toMatchObject({ state: "running", wakeAt: T0 + 1000 });
  },

  "makes a suspension due at once when a child it waits on already finished, in the same batch too": async ({ create }) => {
    const store = await create();
    await start(store, "p");
    await start(store, "c1", { parentId: "p" });
    await start(store, "c2", { parentId: "p" });
    await finish(store, "c1", 1, T0 + 5);
    await suspend(store, "p", 1, [child("1", "c1"), child("2", "c2")], T0 + 10);
    expect(await store.get("p")).toMatchObject({ state: "paused", wakeAt: T0 + 10 });
    // A suspension whose children still run is not due; a finished child in the same batch wakes it.
    await start(store, "q");
    await start(store, "d", { parentId: "q" });
    await suspend(store, "q", 1, [child("1", "d")], T0 + 20);
    expect((await store.get("q"))?.wakeAt).toBeUndefined();
    await store.commitBatch([
      { executionId: "d", events: [ev(1, T.WORKFLOW_COMPLETED, { time: T0 + 30 })], expectedSeq: 1 },
      { executionId: "e", events: started("wf", T0 + 30), expectedSeq: 0, lease: { owner: "A", now: T0 + 30, expiresAt: T0 + 99 } },
    ]);
    expect((await store.get("q"))?.wakeAt).toBe(T0 + 30);
    await start(store, "r");
    await start(store, "f", { parentId: "r" });
    await store.commitBatch([
      { executionId: "f", events: [ev(1, T.WORKFLOW_FAILED, { time: T0 + 40 })], expectedSeq: 1 },
      { executionId: "r", events: [ev(1, T.WORKFLOW_PAUSED, { time: T0 + 41 })], expectedSeq: 1, suspend: { waits: [child("1", "f")] } },
    ]);
    expect((await store.get("r"))?.wakeAt).toBe(T0 + 41);
  },

  "takes a lease with a commit, refuses another owner's commit while it lives, and gives it up on suspension": async ({ create }) => {
    const store = await create();
    await start(store, "e", { owner: "A" });
    expect(await store.get("e")).toMatchObject({ state: "running", lease: { owner: "A", expiresAt: T0 + 1000 }, wakeAt: T0 + 1000 });
    const step = (seq: number, owner: string, now: number) =>
      store.commit("e", [ev(seq, T.TASK_STARTED, { time: now })], { expectedSeq: seq, lease: { owner, now } });
    await expect(step(1, "B", T0 + 999)).rejects.toBeInstanceOf(ConflictError);
    expect((await store.load("e")).length).toBe(1);
    await step(1, "A", T0 + 999);
    // Once the lease lapsed, another owner may record (and take it over with expiresAt).
    await store.commit("e", [ev(2, T.TASK_COMPLETED, { time: T0 + 1000 })], { expectedSeq: 2, lease: { owner: "B", now: T0 + 1000, expiresAt: T0 + 5000 } });
    expect(await store.get("e")).toMatchObject({ lease: { owner: "B", expiresAt: T0 + 5000 }, wakeAt: T0 + 5000 });
    await expect(step(3, "A", T0 + 1001)).rejects.toBeInstanceOf(ConflictError);
    // A commit without a lease claim is not checked (a store used by hand).
    await store.commit("e", [ev(3, T.TASK_STARTED, { time: T0 + 1002 })], { expectedSeq: 3 });
    await suspend(store, "e", 4, [pause("3", "approval")], T0 + 1003, "B");
    const paused = await store.get("e");
    expect(paused?.lease).toBeUndefined();
    expect(paused?.wakeAt).toBeUndefined();
    // Paused: nobody holds it, so anyone's claim lands.
    await store.commit("e", [ev(5, T.WORKFLOW_RESUMED, { time: T0 + 1004 })], { expectedSeq: 5, lease: { owner: "C", now: T0 + 1004, expiresAt: T0 + 2004 } });
    expect((await store.get("e"))?.lease?.owner).toBe("C");
    await finish(store, "e", 6, T0 + 1005, "C");
    const done = await store.get("e");
    expect([done?.state, done?.lease, done?.wakeAt]).toEqual(["succeeded", undefined, undefined]);
  },

  "keeps a running execution's wake time on its lease: renewed, given up, or lapsed": async ({ create }) => {
    const store = await create();
    await start(store, "e");
    expect(await dueIds(store, T0 + 999)).toEqual([]);
    expect(await dueIds(store, T0 + 1000)).toEqual(["e"]);
    expect(await store.lease("e", "A", { now: T0 + 300, expiresAt: T0 + 4000 })).toEqual({ owner: "A", expiresAt: T0 + 4000 });
    expect(await dueIds(store, T0 + 3999)).toEqual([]);
    expect(await store.lease("e", "B", { now: T0 + 400, expiresAt: T0 + 9000 })).toEqual({ owner: "A", expiresAt: T0 + 4000 });
    expect((await store.get("e"))?.wakeAt).toBe(T0 + 4000);
    // Given up (a graceful stop): due at once for another runner.
    await store.lease("e", "A", { now: T0 + 500, expiresAt: T0 + 500 });
    expect(await dueIds(store, T0 + 500)).toEqual(["e"]);
    expect(await store.lease("e", "B", { now: T0 + 500, expiresAt: T0 + 1500 })).toEqual({ owner: "B", expiresAt: T0 + 1500 });
    expect(await dueIds(store, T0 + 1499)).toEqual([]);
    // Running with no lease at all (started without a claim): due from its start.
    await store.commit("bare", started("wf", T0 + 7), { expectedSeq: 0 });
    expect(await store.get("bare")).toMatchObject({ state: "running", wakeAt: T0 + 7 });
    expect((await store.get("bare"))?.lease).toBeUndefined();
  },

  "keeps waits, wake times, parents and leases across reopen": async ({ create, reopen }) => {
    const store = await create();
    await start(store, "p");
    await start(store, "c", { parentId: "p", owner: "B" });
    await suspend(store, "p", 1, [timer("1", T0 + 70), child("2", "c")], T0 + 5);
    const before = [await store.get("p"), await store.get("c")];
    const reopened = await reopen(store);
    expect([await reopened.get("p"), await reopened.get("c")]).toEqual(before);
    expect(before[0]).toMatchObject({ waits: [timer("1", T0 + 70), child("2", "c")], wakeAt: T0 + 70 });
    expect(before[1]).toMatchObject({ parentId: "p", lease: { owner: "B" } });
    expect(await dueIds(reopened, T0 + 70)).toEqual(["p"]);
  },
} satisfies Record<string, Case>;
