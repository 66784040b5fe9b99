// A commit's events as one record (IndexedDB version 5): `load` pages through logs that mix
// one-event records (every version) and batch records exactly as through a log of one record an event.
import "fake-indexeddb/auto";
import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import { openIdbStore } from "../adapters/idb/index.js";
import { Engine, task, workflow } from "../src/index.js";
import { started, tasks } from "./conformance/case-context.js";

let counter = 0;
const fresh = () => `flux-batches-${++counter}`;

describe("IdbStore event records", () => {
  it("keeps a commit of several events as one record and loads every page of the log as it was committed", async () => {
    const name = fresh();
    const store = await openIdbStore(name);
    await store.commit("e", started("w", 1), { expectedSeq: 0 });
    await store.commit("e", tasks(1, 3), { expectedSeq: 1 });
    await store.commit("e", tasks(4, 1), { expectedSeq: 4 });
    await store.commit("e", tasks(5, 2), { expectedSeq: 5 });
    await store.commit("f", tasks(0, 2), { expectedSeq: 0 }); // a neighbour in key order, never loaded with e
    const log = [...started("w", 1), ...tasks(1, 3), ...tasks(4, 1), ...tasks(5, 2)];
    expect(await store.load("e")).toEqual(log);
    for (let from = 0; from <= log.length + 1; from += 1) {
      expect(await store.load("e", { from })).toEqual(log.slice(from));
      for (let limit = 1; limit <= log.length + 1; limit += 1) {
        expect(await store.load("e", { from, limit })).toEqual(log.slice(from, from + limit));
      }
    }
    await store.close();
    const db = await openDB(name);
    expect(await db.count("events")).toBe(5); // one record a commit, not one an event
    db.close();
  });

  it("reads a version-4 log of one record an event and appends batches after it", async () => {
    const name = fresh();
    const v4 = await openIdbStore(name); // today's schema, then written as version 4 wrote its events
    await v4.close();
    const db = await openDB(name);
    const old = [...started("w", 1), ...tasks(1, 2)];
    for (const event of old) await db.add("events", { ...event, executionId: "e" });
    await db.put("executions", { executionId: "e", workflow: "w", state: "running", events: 3, createdAt: 1, updatedAt: old[2]!.time });
    db.close();
    const store = await openIdbStore(name);
    await store.commit("e", tasks(3, 2), { expectedSeq: 3 });
    const log = [...old, ...tasks(3, 2)];
    expect(await store.load("e")).toEqual(log);
    expect(await store.load("e", { from: 2, limit: 2 })).toEqual(log.slice(2, 4));
    expect(await store.load("e", { from: 4 })).toEqual(log.slice(4));
    await store.close();
  });

  it("takes each commit at once when none is in flight (groupCommit \"in-flight\"): a chain of steps and a wide map land whole", async () => {
    const store = await openIdbStore(fresh());
    // The browser writes on another thread: the engine's commit queue sends at once, not after the turn.
    expect(store.groupCommit).toBe("in-flight");
    const double = task("double", async (n: number) => 2 * n);
    const engine = new Engine({ store });
    const chain = await workflow("chain", async (c) => {
      let total = 0;
      for (let i = 0; i < 10; i += 1) total += await c.run(double, i);
      return total + (await c.map(double, [1, 2, 3, 4, 5])).reduce((a, b) => a + b, 0);
    }).run(undefined, { engine });
    expect(chain.output).toBe(90 + 30);
    const log = await store.load(chain.executionId);
    expect(log.map((e) => e.id)).toEqual(log.map((_, i) => i));
    expect(log.filter((e) => e.type === "TASK_COMPLETED")).toHaveLength(15);
    await engine.close();
  });
});
