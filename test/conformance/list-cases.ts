import { expect } from "vitest";
import { UsageError } from "../../src/errors.js";
import { ExecutionEventType } from "../../src/events.js";
import type { Commit, ExecutionSummary, StateStore } from "../../src/state-store.js";
import { type Case, ev, started, T0 } from "./case-context.js";

function creation(executionId: string, workflow: string, time: number): Commit {
  return { executionId, events: started(workflow, time), expectedSeq: 0 };
}

async function ids(store: StateStore, options: Parameters<StateStore["list"]>[0] = {}): Promise<string[]> {
  const page = await store.list(options);
  return page.executions.map((s) => s.executionId);
}

/** Cases about listing executions and the cache. */
export const listCases = {
  "lists newest first, ties by id, whatever was appended later": async ({ create }) => {
    const store = await create();
    await store.commitBatch([
      creation("e1", "w", T0 + 1000), creation("e2", "w", T0 + 3000), creation("e3", "w", T0 + 2000),
      creation("e4", "w", T0 + 3000), creation("e5", "w", T0 + 1000),
    ]);
    await store.commit("e1", [ev(1, ExecutionEventType.TASK_STARTED, { time: T0 + 9999 })], { expectedSeq: 1 });
    const page = await store.list();
    expect(page.executions.map((s) => s.executionId)).toEqual(["e4", "e2", "e3", "e5", "e1"]);
    expect(page.nextCursor).toBeUndefined();
    for (const summary of page.executions) expect(summary).toEqual(await store.get(summary.executionId));
    expect(page.executions[4]).toEqual({
      executionId: "e1", workflow: "w", state: "running", events: 2, createdAt: T0 + 1000, updatedAt: T0 + 9999, wakeAt: T0 + 1000,
    } satisfies ExecutionSummary);
  },

  "filters by workflow, by state and by both": async ({ create }) => {
    const store = await create();
    const E = ExecutionEventType;
    await store.commitBatch([
      creation("a1", "a", T0 + 1), creation("a2", "a", T0 + 2), creation("a3", "a", T0 + 3),
      creation("b1", "b", T0 + 4), creation("b2", "b", T0 + 5),
    ]);
    await store.commitBatch([
      { executionId: "a2", events: [ev(1, E.WORKFLOW_COMPLETED, { name: "a" })], expectedSeq: 1 },
      { executionId: "b1", events: [ev(1, E.WORKFLOW_COMPLETED, { name: "b" })], expectedSeq: 1 },
      { executionId: "a3", events: [ev(1, E.WORKFLOW_PAUSED, { name: "a" })], expectedSeq: 1 },
    ]);
    expect(await ids(store, { workflow: "a" })).toEqual(["a3", "a2", "a1"]);
    expect(await ids(store, { workflow: "b" })).toEqual(["b2", "b1"]);
    expect(await ids(store, { state: "succeeded" })).toEqual(["b1", "a2"]);
    expect(await ids(store, { state: "running" })).toEqual(["b2", "a1"]);
    expect(await ids(store, { state: "paused" })).toEqual(["a3"]);
    expect(await ids(store, { workflow: "a", state: "succeeded" })).toEqual(["a2"]);
    expect(await store.list({ workflow: "c" })).toEqual({ executions: [] });
    expect(await store.list({ workflow: "b", state: "failed" })).toEqual({ executions: [] });
  },

  "pages with a cursor without repeats or gaps, across inserts": async ({ create }) => {
    const store = await create();
    // 23 executions, three at each creation time, so that page boundaries fall inside ties.
    const initial = Array.from({ length: 23 }, (_, i) => creation(`x${String(i).padStart(2, "0")}`, i % 2 ? "odd" : "even", T0 + Math.floor(i / 3)));
    await store.commitBatch(initial);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    let round = 0;
    do {
      const page = await store.list({ limit: 5, cursor });
      seen.push(...page.executions.map((s) => s.executionId));
      sizes.push(page.executions.length);
      cursor = page.nextCursor;
      const last = page.executions[page.executions.length - 1];
      if (cursor !== undefined && last !== undefined) {
        round += 1;
        // Newer than everything, and tied with the cursor but sorting before it: neither may show up.
        await store.commit(`new${round}`, started("even", T0 + 1000 + round), { expectedSeq: 0 });
        await store.commit(`${last.executionId}~`, started("even", last.createdAt), { expectedSeq: 0 });
      }
    } while (cursor !== undefined);
    const expected = initial.map((c) => c.executionId).sort((a, b) => (a < b ? 1 : -1))
      .sort((a, b) => Math.floor(Number(b.slice(1)) / 3) - Math.floor(Number(a.slice(1)) / 3));
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
    // An execution older than the cursor, added between pages, is found on a later page.
    const first = await store.list({ limit: 10, workflow: "odd" });
    await store.commit("old", started("odd", T0 - 5), { expectedSeq: 0 });
    const rest = await store.list({ limit: 10, workflow: "odd", cursor: first.nextCursor });
    const odd = [...first.executions, ...rest.executions].map((s) => s.executionId);
    expect(odd).toEqual([...expected.filter((id) => Number(id.slice(1)) % 2 === 1), "old"]);
    expect(rest.nextCursor).toBeUndefined();
  },

  "caps a page at 100 by default and rejects bad limits and cursors": async ({ create }) => {
    const store = await create();
    await store.commitBatch(Array.from({ length: 101 }, (_, i) => creation(`e${String(i).padStart(3, "0")}`, "w", T0 + i)));
    const page = await store.list();
    expect(page.executions.length).toBe(100);
    expect(page.executions[0]?.executionId).toBe("e100");
    const rest = await store.list({ cursor: page.nextCursor });
    expect(rest.executions.map((s) => s.executionId)).toEqual(["e000"]);
    expect(rest.nextCursor).toBeUndefined();
    expect((await store.list({ limit: 1 })).executions.map((s) => s.executionId)).toEqual(["e100"]);
    await expect(store.list({ limit: 0 })).rejects.toBeInstanceOf(UsageError);
    await expect(store.list({ limit: 2.5 })).rejects.toBeInstanceOf(UsageError);
    await expect(store.list({ cursor: "not a cursor" })).rejects.toBeInstanceOf(UsageError);
  },

  "gets, sets and overwrites cached values": async ({ create }) => {
    const store = await create();
    expect(await store.getCached("k")).toBeUndefined();
    await store.setCached("k", '{"v":1}');
    await store.setCached("other", "[]");
    expect(await store.getCached("k")).toBe('{"v":1}');
    await store.setCached("k", '"second"');
    expect(await store.getCached("k")).toBe('"second"');
    expect(await store.getCached("other")).toBe("[]");
    await store.setCached("empty", "");
    expect(await store.getCached("empty")).toBe("");
    expect(await store.getCached("K")).toBeUndefined();
    expect(await store.get("k")).toBeUndefined();
    expect((await store.list()).executions).toEqual([]);
  },
} satisfies Record<string, Case>;
