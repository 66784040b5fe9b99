import "fake-indexeddb/auto";
import { openDB } from "idb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IdbStore, openIdbStore } from "../adapters/idb/index.js";
import { StoreError, UsageError } from "../src/errors.js";
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

  it("refuses a database of a newer version, naming it, and leaves it as it was", async () => {
    const name = fresh();
    const db = await openDB(name, 2, { upgrade: (d) => void d.createObjectStore("events").put("kept", "k") });
    db.close();
    const before = await describeDb(name);
    await expect(openIdbStore(name)).rejects.toThrow(new RegExp(`IndexedDB database "${name}" has a version newer than 1.*upgrade flux-ts`));
    expect(await describeDb(name)).toEqual(before);
    expect(before).toEqual({ version: 2, stores: ["events"], rows: ["kept"] });
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
    const newer = await openDB(name, 2);
    expect(newer.version).toBe(2);
    newer.close();
    await expect(store.load("e")).rejects.toThrow(/closed \(another tab opened it at a newer version: reload this page\)/);
  });

  it("says what to do where there is no IndexedDB", async () => {
    vi.stubGlobal("indexedDB", undefined);
    await expect(openIdbStore("x")).rejects.toThrow(/no IndexedDB \(in Node, use the SQLite store/);
  });

  it("rejects events whose ids do not continue the log, writing nothing", async () => {
    const store = await openIdbStore(fresh());
    await expect(store.commit("e", tasks(1, 2), { expectedSeq: 0 })).rejects.toBeInstanceOf(UsageError);
    expect(await store.load("e")).toEqual([]);
    await store.close();
  });
});
