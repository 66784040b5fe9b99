import { expect } from "vitest";
import { ConflictError } from "../../src/errors.js";
import type { StateStore } from "../../src/state-store.js";
import { type Case, started, T0, tasks } from "./case-context.js";
import { raceForLease } from "./lease-cases.js";

async function snapshot(store: StateStore, ...executionIds: string[]) {
  return Promise.all(executionIds.map(async (id) => ({ events: await store.load(id), summary: await store.get(id) })));
}

async function expectConflict(promise: Promise<unknown>, executionId: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConflictError);
  expect((error as Error).message).toContain(executionId);
}

/** `racers` commits of `count` events at `expectedSeq`, all at once: exactly one must win. */
async function race(stores: readonly StateStore[], executionId: string, expectedSeq: number, count: number, round: number) {
  const batches = stores.map((_, r) => tasks(expectedSeq, count, { tag: `round${round}-racer${r}`, time: T0 + round }));
  const results = await Promise.allSettled(stores.map((store, r) => store.commit(executionId, batches[r] ?? [], { expectedSeq })));
  const winners = results.flatMap((result, r) => (result.status === "fulfilled" ? [r] : []));
  expect(winners.length).toBe(1);
  for (const result of results) {
    if (result.status === "rejected") expect(result.reason).toBeInstanceOf(ConflictError);
  }
  return batches[winners[0] ?? 0] ?? [];
}

/** Cases about optimistic concurrency and atomic batches. */
export const conflictCases = {
  "refuses an expectedSeq that is too low and writes nothing": async ({ create }) => {
    const store = await create();
    await store.commit("exec", tasks(0, 3), { expectedSeq: 0 });
    const before = await snapshot(store, "exec");
    await expectConflict(store.commit("exec", tasks(1, 2, { tag: "late" }), { expectedSeq: 1 }), "exec");
    await expectConflict(store.commit("exec", tasks(0, 1, { tag: "late" }), { expectedSeq: 0 }), "exec");
    await expectConflict(store.commit("exec", tasks(2, 5, { tag: "late" }), { expectedSeq: 2 }), "exec");
    expect(await snapshot(store, "exec")).toEqual(before);
    await store.commit("exec", tasks(3, 1), { expectedSeq: 3 });
    expect((await store.get("exec"))?.events).toBe(4);
  },

  "refuses an expectedSeq that is too high and writes nothing": async ({ create }) => {
    const store = await create();
    await store.commit("exec", tasks(0, 2), { expectedSeq: 0 });
    const before = await snapshot(store, "exec");
    await expectConflict(store.commit("exec", tasks(3, 2), { expectedSeq: 3 }), "exec");
    await expectConflict(store.commit("exec", tasks(5, 1), { expectedSeq: 5 }), "exec");
    await expectConflict(store.commit("fresh", tasks(1, 1), { expectedSeq: 1 }), "fresh");
    expect(await snapshot(store, "exec", "fresh")).toEqual([...before, { events: [], summary: undefined }]);
  },

  "checks the expectedSeq of an empty commit and writes nothing": async ({ create }) => {
    const store = await create();
    await store.commit("new", [], { expectedSeq: 0 });
    expect(await snapshot(store, "new")).toEqual([{ events: [], summary: undefined }]);
    await expectConflict(store.commit("new", [], { expectedSeq: 1 }), "new");
    await store.commit("exec", tasks(0, 2), { expectedSeq: 0 });
    const before = await snapshot(store, "exec");
    await store.commit("exec", [], { expectedSeq: 2 });
    await expectConflict(store.commit("exec", [], { expectedSeq: 1 }), "exec");
    await expectConflict(store.commit("exec", [], { expectedSeq: 3 }), "exec");
    expect(await snapshot(store, "exec")).toEqual(before);
    expect((await store.list()).executions.map((s) => s.executionId)).toEqual(["exec"]);
  },

  "lets exactly one of concurrent committers win": async ({ create }) => {
    const store = await create();
    let expected = tasks(0, 0);
    for (let round = 0; round < 4; round += 1) {
      const winner = await race([store, store, store, store], "exec", expected.length, 2 + round, round);
      expected = [...expected, ...winner];
      expect(await store.load("exec")).toEqual(expected);
      expect((await store.get("exec"))?.events).toBe(expected.length);
    }
  },

  "lets exactly one of two handles on the same data win, commits and leases": async ({ create, openSecond }) => {
    const first = await create();
    const second = await openSecond(first);
    let expected = tasks(0, 0);
    for (let round = 0; round < 3; round += 1) {
      expected = [...expected, ...(await race([first, second], "exec", expected.length, 3, round))];
      expect(await first.load("exec")).toEqual(expected);
      expect(await second.load("exec")).toEqual(expected);
    }
    await expectConflict(second.commit("exec", tasks(0, 1), { expectedSeq: 0 }), "exec");
    expect((await first.get("exec"))?.events).toBe(expected.length);
    for (let round = 0; round < 3; round += 1) {
      const winner = await raceForLease([[first, "first"], [second, "second"]], "exec", T0 + round * 10_000);
      expect((await second.lease("exec", "third", { now: T0 + round * 10_000 + 1, expiresAt: T0 })).owner).toBe(winner);
    }
  },

  "applies a commitBatch, two commits of one execution included": async ({ create }) => {
    const store = await create();
    await store.commitBatch([]);
    const x0 = started("wx", T0 + 1);
    const y0 = started("wy", T0 + 2);
    const x1 = tasks(1, 2, { time: T0 + 50 });
    await store.commitBatch([
      { executionId: "x", events: x0, expectedSeq: 0 },
      { executionId: "y", events: y0, expectedSeq: 0 },
      { executionId: "x", events: x1, expectedSeq: 1 },
    ]);
    expect(await store.load("x")).toEqual([...x0, ...x1]);
    expect(await store.load("y")).toEqual(y0);
    expect(await store.get("x")).toEqual({ executionId: "x", workflow: "wx", state: "running", events: 3, createdAt: T0 + 1, updatedAt: T0 + 50, wakeAt: T0 + 1 });
    expect((await store.list()).executions.map((s) => s.executionId)).toEqual(["y", "x"]);
  },

  "writes nothing of a commitBatch with one conflicting commit": async ({ create }) => {
    const store = await create();
    await store.commit("x", tasks(0, 2), { expectedSeq: 0 });
    const before = await snapshot(store, "x");
    const nothing = { events: [], summary: undefined };
    await expectConflict(store.commitBatch([
      { executionId: "y", events: started("w", T0), expectedSeq: 0 },
      { executionId: "x", events: tasks(1, 1, { tag: "stale" }), expectedSeq: 1 },
      { executionId: "z", events: started("w", T0), expectedSeq: 0 },
    ]), "x");
    await expectConflict(store.commitBatch([
      { executionId: "y", events: started("w", T0), expectedSeq: 0 },
      { executionId: "x", events: tasks(2, 1), expectedSeq: 2 },
      { executionId: "x", events: tasks(4, 1), expectedSeq: 4 },
    ]), "x");
    await expectConflict(store.commitBatch([
      { executionId: "w", events: started("w", T0), expectedSeq: 0 },
      { executionId: "w", events: started("w", T0), expectedSeq: 0 },
    ]), "w");
    expect(await snapshot(store, "x", "y", "z", "w")).toEqual([...before, nothing, nothing, nothing]);
    expect((await store.list()).executions.map((s) => s.executionId)).toEqual(["x"]);
  },
} satisfies Record<string, Case>;
