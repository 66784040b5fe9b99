import "fake-indexeddb/auto";
import { openDB, type IDBPDatabase } from "idb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IdbStore, idbVersion, openIdbStore } from "../adapters/idb/index.js";
import { CancelRequestedError, ConflictError, StoreError, UsageError } from "../src/errors.js";
import { ExecutionEventType as T } from "../src/events.js";
import { ev, started, T0, tasks } from "./conformance/case-context.js";
import { expectLegacyMigrated, legacyLeases, legacyLogs, legacySummaries } from "./support/legacy-v2.js";
import { expectV3Migrated, v3Logs, v3Summaries } from "./support/legacy-v3.js";
import { expectEveryKind, expectSameAsReference } from "./support/random-commits.js";
import { admitCases, testStateStore } from "./store-conformance.js";

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
  skip: [{ reason: "the IndexedDB store has no admit(): queues are not supported on it (a queued start there is a UsageError)", tests: admitCases }],
});

/** The object stores and indexes of IndexedDB version 1. */
function createVersion1(d: IDBPDatabase<unknown>) {
  d.createObjectStore("events", { keyPath: ["executionId", "id"] });
  const executions = d.createObjectStore("executions", { keyPath: "executionId" });
  for (const [index, keyPath] of [["newest", ["createdAt", "executionId"]], ["byWorkflow", ["workflow", "createdAt", "executionId"]],
    ["byState", ["state", "createdAt", "executionId"]], ["byWorkflowState", ["workflow", "state", "createdAt", "executionId"]]] as const) {
    executions.createIndex(index, [...keyPath]);
  }
  d.createObjectStore("cache");
}

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

  it("upgrades a version-1 database (no leases) to the current version, keeping its data", async () => {
    const name = fresh();
    const v1 = await openDB(name, 1, { upgrade: (d) => createVersion1(d) });
    await v1.put("executions", { executionId: "old", workflow: "w", state: "running", events: 1, createdAt: 5, updatedAt: 6 });
    await v1.put("events", { executionId: "old", ...started("w", 5)[0]! });
    v1.close();
    const store = await openIdbStore(name);
    // Running and never leased: due from its last event.
    expect(await store.get("old")).toEqual({ executionId: "old", workflow: "w", state: "running", events: 1, createdAt: 5, updatedAt: 6, wakeAt: 6 });
    expect((await store.due({ until: 6 })).map((s) => s.executionId)).toEqual(["old"]);
    expect(await store.lease("old", "me", { now: 10, expiresAt: 20 })).toEqual({ owner: "me", expiresAt: 20 });
    await store.commit("old", tasks(1, 1), { expectedSeq: 1 });
    expect((await store.load("old")).length).toBe(2);
    await store.close();
    expect(await describeDb(name)).toMatchObject({ version: idbVersion, stores: ["cache", "events", "executions", "inbox"] });
  });

  it("upgrades a version-2 database (leases in their own store, wake times in pause events): leases carried over, due() exact", async () => {
    const name = fresh();
    const v2 = await openDB(name, 2, {
      upgrade(d) {
        createVersion1(d);
        d.createObjectStore("leases");
      },
    });
    for (const s of legacySummaries) {
      await v2.put("executions", { executionId: s.id, workflow: "w", state: s.state, events: s.events, createdAt: s.createdAt, updatedAt: s.updatedAt });
    }
    for (const [id, log] of Object.entries(legacyLogs)) for (const event of log) await v2.put("events", { executionId: id, ...event });
    for (const lease of legacyLeases) await v2.put("leases", { owner: lease.owner, expiresAt: lease.expiresAt }, lease.id);
    await v2.put("cache", '"kept"', "k");
    v2.close();
    const store = await openIdbStore(name);
    await expectLegacyMigrated(store);
    await store.close();
    const db = await openDB(name);
    expect([db.version, Array.from(db.objectStoreNames)]).toEqual([idbVersion, ["cache", "events", "executions", "inbox"]]);
    expect(Array.from(db.transaction("executions").store.indexNames)).toContain("byWake");
    db.close();
  });

  it("leaves a version-2 database as it was when its upgrade fails midway, and says so", async () => {
    const name = fresh();
    const v2 = await openDB(name, 2, {
      upgrade(d) {
        createVersion1(d);
        d.createObjectStore("leases");
      },
    });
    await v2.put("executions", { executionId: "run", workflow: "w", state: "running", events: 1, createdAt: T0, updatedAt: T0 });
    await v2.put("leases", { owner: "A", expiresAt: T0 + 5 }, "run");
    v2.close();
    const update = vi.spyOn(IDBCursor.prototype, "update").mockImplementation(() => {
      throw new DOMException("the disk is full", "QuotaExceededError");
    });
    const error = await openIdbStore(name).then(() => undefined, (e: unknown) => e);
    update.mockRestore();
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toMatch(new RegExp(`upgrading the IndexedDB database "${name}" from version 2 to ${idbVersion} failed \\(the disk is full\\): nothing of it was applied`));
    const db = await openDB(name);
    expect([db.version, Array.from(db.objectStoreNames)]).toEqual([2, ["cache", "events", "executions", "leases"]]);
    expect([await db.get("executions", "run"), await db.get("leases", "run")]).toEqual([
      { executionId: "run", workflow: "w", state: "running", events: 1, createdAt: T0, updatedAt: T0 }, { owner: "A", expiresAt: T0 + 5 },
    ]);
    db.close();
    // Once the cause is gone, the upgrade runs.
    const store = await openIdbStore(name);
    expect(await store.get("run")).toMatchObject({ lease: { owner: "A", expiresAt: T0 + 5 }, wakeAt: T0 + 5 });
    await store.close();
  });

  it("upgrades a version-3 database (no inbox, no cancellation) to the current version, keeping its data; inboxes and cancellations then work", async () => {
    const name = fresh();
    const v3 = await openDB(name, 3, {
      upgrade(d, _old, _new, transaction) {
        createVersion1(d);
        transaction.objectStore("executions").createIndex("byWake", ["wakeAt", "executionId"]);
      },
    });
    for (const summary of Object.values(v3Summaries)) await v3.put("executions", summary);
    for (const [id, log] of Object.entries(v3Logs)) for (const event of log) await v3.put("events", { executionId: id, ...event });
    await v3.put("cache", '"kept"', "k");
    v3.close();
    const store = await openIdbStore(name);
    await expectV3Migrated(store);
    await store.close();
    const db = await openDB(name);
    expect([db.version, Array.from(db.objectStoreNames)]).toEqual([idbVersion, ["cache", "events", "executions", "inbox"]]);
    expect(Array.from(db.transaction("inbox").store.indexNames)).toEqual(["pending"]);
    db.close();
  });

  it("keeps summaries, inboxes, due lists and conflicts equal to the reference store over random commits", async () => {
    const runs = [];
    for (const seed of [31, 32]) {
      const store = await openIdbStore(fresh());
      runs.push(await expectSameAsReference(store, seed));
      await store.close();
    }
    expectEveryKind(runs);
  });

  it("refuses a database of a newer version, naming it, and leaves it as it was", async () => {
    const name = fresh();
    const db = await openDB(name, idbVersion + 1, { upgrade: (d) => void d.createObjectStore("events").put("kept", "k") });
    db.close();
    const before = await describeDb(name);
    await expect(openIdbStore(name)).rejects.toThrow(new RegExp(`IndexedDB database "${name}" has a version newer than ${idbVersion}.*upgrade flux-ts`));
    expect(await describeDb(name)).toEqual(before);
    expect(before).toEqual({ version: idbVersion + 1, stores: ["events"], rows: ["kept"] });
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
    const newer = await openDB(name, idbVersion + 1);
    expect(newer.version).toBe(idbVersion + 1);
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
      // The other tab takes the lease (a lapsed one) without a commit: the count is the same,
      // the lease and wake time are not, and a's next commit must not write back what it remembers.
      await a.commit("y", started("y", T0), { expectedSeq: 0, lease: { owner: "A", now: T0, expiresAt: T0 + 100 } });
      await a.commit("y", tasks(1, 1), { expectedSeq: 1, lease: { owner: "A", now: T0 + 1 } });
      expect(await b.lease("y", "B", { now: T0 + 100, expiresAt: T0 + 900 })).toEqual({ owner: "B", expiresAt: T0 + 900 });
      await a.commit("y", tasks(2, 1), { expectedSeq: 2 });
      expect(await a.get("y")).toMatchObject({ events: 3, lease: { owner: "B", expiresAt: T0 + 900 }, wakeAt: T0 + 900 });
      await expect(a.commit("y", tasks(3, 1), { expectedSeq: 3, lease: { owner: "A", now: T0 + 101 } })).rejects.toBeInstanceOf(ConflictError);
      // A paused parent that the other tab resumed is not woken by a's stale idea of it.
      await a.commit("p", [...started("p", T0), ev(1, T.WORKFLOW_PAUSED, { time: T0 + 1 })], { expectedSeq: 0 });
      await a.commit("c", started("c", T0), { expectedSeq: 0, parentId: "p" });
      await b.commit("p", [ev(2, T.WORKFLOW_RESUMED, { time: T0 + 2 })], { expectedSeq: 2, lease: { owner: "B", now: T0 + 2, expiresAt: T0 + 50 } });
      await a.commit("c", [ev(1, T.WORKFLOW_COMPLETED, { time: T0 + 3 })], { expectedSeq: 1 });
      expect(await a.get("p")).toMatchObject({ state: "running", wakeAt: T0 + 50, lease: { owner: "B" } });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("never trusts the summaries it remembers over another tab's deliveries and cancellations", async () => {
    const name = fresh();
    const a = await openIdbStore(name);
    const b = await openIdbStore(name);
    try {
      const claim = { owner: "A", now: T0 + 1 };
      await a.commit("r", started("r", T0), { expectedSeq: 0, lease: { owner: "A", now: T0, expiresAt: T0 + 1000 } });
      await a.commit("r", tasks(1, 1), { expectedSeq: 1, lease: claim }); // a remembers r, running, no cancellation
      await b.requestCancel("r", { reason: "from tab b", time: T0 + 2 });
      await expect(a.commit("r", tasks(2, 1), { expectedSeq: 2, lease: claim })).rejects.toBeInstanceOf(CancelRequestedError);
      expect((await a.load("r")).length).toBe(2);
      await a.commit("r", [ev(2, T.WORKFLOW_CANCELLED, { time: T0 + 3 })], { expectedSeq: 2, lease: claim });
      expect(await b.get("r")).toMatchObject({ state: "cancelled", events: 3 });
      expect((await b.get("r"))?.cancel).toBeUndefined();
      // a remembers p paused with no wake time; b's event wakes it; a's next commit keeps that wake.
      await a.commit("p", [...started("p", T0), ev(1, T.WORKFLOW_PAUSED, { time: T0 + 1 })], { expectedSeq: 0, suspend: { waits: [{ kind: "event", stepId: "1", name: "go" }] } });
      await a.commit("p", tasks(2, 1), { expectedSeq: 2 });
      await b.deliver("p", { name: "go", payload: "1", time: T0 + 50 });
      await a.commit("p", tasks(3, 1), { expectedSeq: 3 });
      expect(await b.get("p")).toMatchObject({ state: "paused", events: 4, wakeAt: T0 + 50 });
      // a's own delivery and request are remembered as they left the summary.
      await a.commit("q", [...started("q", T0), ev(1, T.WORKFLOW_PAUSED, { time: T0 + 1 })], { expectedSeq: 0, suspend: { waits: [{ kind: "event", stepId: "1", name: "go" }] } });
      await a.deliver("q", { name: "go", payload: "1", time: T0 + 60 });
      await a.commit("q", tasks(2, 1), { expectedSeq: 2 });
      expect(await b.get("q")).toMatchObject({ events: 3, wakeAt: T0 + 60 });
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
