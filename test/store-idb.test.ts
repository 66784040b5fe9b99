import "fake-indexeddb/auto";
import { openDB } from "idb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IdbStore, openIdbStore } from "../adapters/idb/index.js";
import { ConflictError, StoreError, UsageError } from "../src/errors.js";
import { started, T0, tasks } from "./conformance/case-context.js";
import { testStateStore } from "./store-conformance.js";

let counter = 0;
const fresh = () => `flux-test-${++counter}`;

testStateStore({
  name: "IndexedDB (fake-indexeddb)",
  create: () => openIdbStore(fresh()),
  reopen: async (store) => {
    await store.close();
    return openIdbStore((store as IdbStore).name);
  },
  openSecond: (store) => openIdbStore((store as IdbStore).name),
});

async function describeDb(name: string) {
  const db = await openDB(name);
  const shape = { version: db.version, stores: Array.from(db.objectStoreNames), rows: await db.getAll(db.objectStoreNames[0] as never) };
  db.close();
  return shape;
}

describe("IdbStore", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("upgrades a version-1 database (no leases) to version 2, keeping its data", async () => {
    const name = fresh();
    const v1 = await openDB(name, 1, {
      upgrade(d) {
        d.createObjectStore("events", { keyPath: ["executionId", "id"] });
        const executions = d.createObjectStore("executions", { keyPath: "executionId" });
        for (const [index, keyPath] of [["newest", ["createdAt", "executionId"]], ["byWorkflow", ["workflow", "createdAt", "executionId"]],
          ["byState", ["state", "createdAt", "executionId"]], ["byWorkflowState", ["workflow", "state", "createdAt", "executionId"]]] as const) {
          executions.createIndex(index, [...keyPath]);
        }
        d.createObjectStore("cache");
      },
    });
    await v1.put("executions", { executionId: "old", workflow: "w", state: "running", events: 1, createdAt: 5, updatedAt: 6 });
    await v1.put("events", { executionId: "old", ...started("w", 5)[0]! });
    v1.close();
    const store = await openIdbStore(name);
    expect((await store.list()).executions.map((s) => s.executionId)).toEqual(["old"]);
    expect(await store.lease("old", "me", { now: 10, expiresAt: 20 })).toEqual({ owner: "me", expiresAt: 20 });
    await store.commit("old", tasks(1, 1), { expectedSeq: 1 });
    expect((await store.load("old")).length).toBe(2);
    await store.close();
    expect((await describeDb(name)).version).toBe(2);
  });

  it("refuses a database of a newer version, naming it, and leaves it as it was", async () => {
    const name = fresh();
    const db = await openDB(name, 3, { upgrade: (d) => void d.createObjectStore("events").put("kept", "k") });
    db.close();
    const before = await describeDb(name);
    await expect(openIdbStore(name)).rejects.toThrow(new RegExp(`IndexedDB database "${name}" has a version newer than 2.*upgrade flux-ts`));
    expect(await describeDb(name)).toEqual(before);
    expect(before).toEqual({ version: 3, stores: ["events"], rows: ["kept"] });
  });

  it("refuses a database holding another application's object stores, untouched", async () => {
    const name = fresh();
    const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore("todos").put({ title: "milk" }, 1) });
    db.close();
    const error = await openIdbStore(name).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toMatch(new RegExp(`"${name}" holds object stores of another application \\(todos\\)`));
    expect(await describeDb(name)).toEqual({ version: 1, stores: ["todos"], rows: [{ title: "milk" }] });
  });

  it("closes itself when another tab upgrades the database, and then rejects calls", async () => {
    const name = fresh();
    const store = await openIdbStore(name);
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    const newer = await openDB(name, 3);
    expect(newer.version).toBe(3);
    newer.close();
    await expect(store.load("e")).rejects.toThrow(/closed \(another tab opened it at a newer version: reload this page\)/);
  });

  it("says what to do where there is no IndexedDB", async () => {
    vi.stubGlobal("indexedDB", undefined);
    await expect(openIdbStore("x")).rejects.toThrow(/no IndexedDB \(in Node, use the SQLite store/);
  });

  it("never trusts the summaries it remembers: a tab that wrote meanwhile makes the next commit conflict", async () => {
    const name = fresh();
    const a = await openIdbStore(name);
    const b = await openIdbStore(name);
    try {
      await a.commit("x", started("x", T0), { expectedSeq: 0 });
      await a.commit("x", tasks(1, 1), { expectedSeq: 1 }); // a now remembers 2 events
      await b.commit("x", tasks(2, 3), { expectedSeq: 2 }); // the other tab appends 3 more
      const stale = await a.commit("x", tasks(2, 1, { tag: "stale" }), { expectedSeq: 2 }).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect((await a.get("x"))?.events).toBe(5);
      expect((await a.load("x")).map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
      await a.commit("x", tasks(5, 1), { expectedSeq: 5 });
      expect((await b.get("x"))?.events).toBe(6);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("rejects events whose ids do not continue the log, writing nothing", async () => {
    const store = await openIdbStore(fresh());
    await expect(store.commit("e", tasks(1, 2), { expectedSeq: 0 })).rejects.toBeInstanceOf(UsageError);
    expect(await store.load("e")).toEqual([]);
    await store.close();
  });
});
