import { expect } from "vitest";
import { ExecutionEventType as T } from "../../src/events.js";
import { queue, type Queue } from "../../src/queue.js";
import type { Admission, StateStore } from "../../src/state-store.js";
import { type Case, ev, started, T0 } from "./case-context.js";

/** `count` starts of workflow `w` on queue `name`, `q0`, `q1`, ... in that order; later starts carry EARLIER times, so only the queue's own order can be followed. */
async function enqueue(store: StateStore, name: string, count: number, prefix = "q"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `${prefix}${i}`;
    await store.commit(id, started("w", T0 - i), { expectedSeq: 0, queue: name });
    ids.push(id);
  }
  return ids;
}

function admit(store: StateStore, q: Queue, owner: string, now: number, workflows?: string[]): Promise<Admission> {
  if (store.admit === undefined) throw new Error("this store has no admit(): skip the queue cases with a reason");
  return store.admit(q, { owner, now, expiresAt: now + 1000, ...(workflows === undefined ? {} : { workflows }) });
}

const ids = (admission: Admission) => admission.admitted.map((summary) => summary.executionId);

/** Ends `id` (admitted, so running with 1 event) under `owner`'s lease. */
function finish(store: StateStore, id: string, owner: string, now: number): Promise<void> {
  return store.commit(id, [ev(1, T.WORKFLOW_COMPLETED, { sourceId: id, time: now })], { expectedSeq: 1, lease: { owner, now } });
}

/** Cases about queues (`StateStore.admit`). */
export const queueCases = {
  "a start on a queue is queued: no lease, not due, listed by its state": async ({ create }) => {
    const store = await create();
    await store.commit("q0", started("w", T0), { expectedSeq: 0, queue: "emails", lease: { owner: "A", now: T0, expiresAt: T0 + 1000 } });
    const summary = await store.get("q0");
    expect(summary).toMatchObject({ executionId: "q0", state: "queued", queue: "emails", events: 1 });
    expect(summary?.lease).toBeUndefined();
    expect(summary?.wakeAt).toBeUndefined();
    expect((await store.list({ state: "queued" })).executions.map((s) => s.executionId)).toEqual(["q0"]);
    expect(await store.due({ until: T0 + 1_000_000 })).toEqual([]);
    // A cancellation asked for makes it due, so a runner records it.
    await store.requestCancel("q0", { time: T0 + 5 });
    expect((await store.due({ until: T0 + 10 })).map((s) => s.executionId)).toEqual(["q0"]);
  },

  "admits the oldest starts first, up to the concurrency; a slot is held until the execution ends": async ({ create }) => {
    const store = await create();
    const q = queue("emails", { concurrency: 3 });
    await enqueue(store, "emails", 7);
    await enqueue(store, "other", 2, "o");
    const first = await admit(store, q, "A", T0 + 100);
    expect(ids(first)).toEqual(["q0", "q1", "q2"]);
    for (const summary of first.admitted) {
      expect(summary).toMatchObject({ state: "running", queue: "emails", lease: { owner: "A", expiresAt: T0 + 1100 }, wakeAt: T0 + 1100 });
      expect(await store.get(summary.executionId)).toEqual(summary);
    }
    expect(first.retryAt).toBeUndefined();
    expect(ids(await admit(store, q, "B", T0 + 101))).toEqual([]);
    // Paused still holds its slot.
    await store.commit("q0", [ev(1, T.WORKFLOW_PAUSED, { sourceId: "q0", time: T0 + 102 })], {
      expectedSeq: 1, lease: { owner: "A", now: T0 + 102 }, suspend: { waits: [{ kind: "timer", stepId: "1", until: T0 + 5000 }], wakeAt: T0 + 5000 },
    });
    expect(ids(await admit(store, q, "B", T0 + 103))).toEqual([]);
    // A cancellation asked for on the next in line: it is passed over.
    await store.requestCancel("q3", { time: T0 + 104 });
    await finish(store, "q1", "A", T0 + 105);
    expect(ids(await admit(store, q, "B", T0 + 106))).toEqual(["q4"]);
    await finish(store, "q2", "A", T0 + 107);
    await finish(store, "q4", "B", T0 + 108);
    expect(ids(await admit(store, q, "B", T0 + 109))).toEqual(["q5", "q6"]);
    expect((await store.get("q3"))?.state).toBe("queued");
    expect((await store.get("o0"))?.state).toBe("queued");
  },

  "admits only the workflows asked for": async ({ create }) => {
    const store = await create();
    const q = queue("emails", { concurrency: 5 });
    await store.commit("a", started("w", T0), { expectedSeq: 0, queue: "emails" });
    await store.commit("b", started("v", T0), { expectedSeq: 0, queue: "emails" });
    expect(ids(await admit(store, q, "A", T0 + 1, ["v", "x"]))).toEqual(["b"]);
    expect(ids(await admit(store, q, "A", T0 + 2, ["x"]))).toEqual([]);
    expect(ids(await admit(store, q, "A", T0 + 3))).toEqual(["a"]);
  },

  "counts perRunner by the runner that admitted": async ({ create }) => {
    const store = await create();
    const q = queue("emails", { concurrency: 5, perRunner: 2 });
    await enqueue(store, "emails", 8);
    expect(ids(await admit(store, q, "A", T0 + 1))).toEqual(["q0", "q1"]);
    expect(ids(await admit(store, q, "A", T0 + 2))).toEqual([]);
    expect(ids(await admit(store, q, "B", T0 + 3))).toEqual(["q2", "q3"]);
    expect(ids(await admit(store, q, "C", T0 + 4))).toEqual(["q4"]);
    expect(ids(await admit(store, q, "D", T0 + 5))).toEqual([]);
    await finish(store, "q0", "A", T0 + 6);
    expect(ids(await admit(store, q, "B", T0 + 7))).toEqual([]);
    expect(ids(await admit(store, q, "A", T0 + 8))).toEqual(["q5"]);
  },

  "admits at most rate.limit in any window of rate.per ms, and says when the next may go": async ({ create }) => {
    const store = await create();
    const q = queue("emails", { concurrency: 10, rate: { limit: 2, per: 1000 } });
    await enqueue(store, "emails", 6);
    const first = await admit(store, q, "A", T0 + 1000);
    expect(ids(first)).toEqual(["q0", "q1"]);
    expect(first.retryAt).toBe(T0 + 2000);
    await finish(store, "q0", "A", T0 + 1001); // an end frees a slot, not the rate budget
    const blocked = await admit(store, q, "B", T0 + 1999);
    expect(ids(blocked)).toEqual([]);
    expect(blocked.retryAt).toBe(T0 + 2000);
    expect(ids(await admit(store, q, "B", T0 + 2000))).toEqual(["q2", "q3"]);
    expect(ids(await admit(store, q, "A", T0 + 2500))).toEqual([]);
    const last = await admit(store, q, "A", T0 + 3000);
    expect(ids(last)).toEqual(["q4", "q5"]);
    expect(last.retryAt).toBeUndefined(); // nothing left waiting
  },

  "concurrent admissions never exceed the limit": async ({ create }) => {
    const store = await create();
    const q = queue("emails", { concurrency: 5 });
    await enqueue(store, "emails", 20);
    for (let round = 0; round < 3; round += 1) {
      const now = T0 + 100 * (round + 1);
      const admissions = await Promise.all(Array.from({ length: 8 }, (_, i) => admit(store, q, `r${i}`, now)));
      const all = admissions.flatMap(ids);
      expect(new Set(all).size).toBe(all.length);
      const running = (await store.list({ state: "running", limit: 100 })).executions;
      expect(running.length).toBe(5);
      // Whoever admitted them, they are the oldest waiting.
      expect(running.map((s) => s.executionId).sort()).toEqual(Array.from({ length: 5 }, (_, i) => `q${round * 5 + i}`).sort());
      for (const summary of running) await finish(store, summary.executionId, summary.lease!.owner, now + 50);
    }
  },

  "concurrent admissions through two handles never exceed the limit": async ({ create, openSecond }) => {
    const store = await create();
    const second = await openSecond(store);
    const q = queue("emails", { concurrency: 3, perRunner: 3 });
    await enqueue(store, "emails", 12);
    const admissions = await Promise.all(Array.from({ length: 8 }, (_, i) => admit(i % 2 === 0 ? store : second, q, `r${i}`, T0 + 10)));
    const all = admissions.flatMap(ids).sort();
    expect(all).toEqual(["q0", "q1", "q2"]);
  },
} satisfies Record<string, Case>;

/** The queue cases that call `admit` (a store without it skips these, with its reason). */
export const admitCases = [
  "admits the oldest starts first, up to the concurrency; a slot is held until the execution ends",
  "admits only the workflows asked for",
  "counts perRunner by the runner that admitted",
  "admits at most rate.limit in any window of rate.per ms, and says when the next may go",
  "concurrent admissions never exceed the limit",
  "concurrent admissions through two handles never exceed the limit",
] as const satisfies readonly (keyof typeof queueCases)[];
