import "fake-indexeddb/auto";
import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import { IdbBlobStore, openIdbBlobStore, openIdbStore } from "../adapters/idb/index.js";
import { StoreError } from "../src/errors.js";
import { testBlobStore } from "./blob-conformance.js";

let counter = 0;

/** The keys of the blob database `name`, read through a connection of its own. */
async function keysOf(name: string): Promise<string[]> {
  const db = await openDB(name);
  try {
    return (await db.getAllKeys("blobs")).map(String);
  } finally {
    db.close();
  }
}

testBlobStore({
  name: "IndexedDB (fake-indexeddb)",
  open: () => openIdbBlobStore(`blob-test-${++counter}`),
  reopen: (store) => openIdbBlobStore((store as IdbBlobStore).name.replace(/-blobs$/, "")),
  footprint: (store) => keysOf((store as IdbBlobStore).name),
});

describe("IdbBlobStore", () => {
  it("lives in a database of its own beside the state database, which keeps its schema", async () => {
    const state = await openIdbStore("beside");
    const stateStores = Array.from((await openDB("beside")).objectStoreNames);
    const blobs = await openIdbBlobStore("beside");
    expect(blobs.name).toBe("beside-blobs");
    await blobs.put("sha256-ab", "x");
    const db = await openDB("beside");
    expect(Array.from(db.objectStoreNames)).toEqual(stateStores);
    expect(db.objectStoreNames.contains("blobs" as never)).toBe(false);
    db.close();
    await blobs.close();
    await state.close();
  });

  it("refuses a database of that name that is not a blob database, leaving it untouched", async () => {
    const other = await openDB("foreign-blobs", 1, { upgrade: (d) => void d.createObjectStore("photos") });
    other.close();
    await expect(openIdbBlobStore("foreign")).rejects.toThrow(StoreError);
    await expect(openIdbBlobStore("foreign")).rejects.toThrow(/foreign-blobs.*photos/);
    const again = await openDB("foreign-blobs");
    expect(Array.from(again.objectStoreNames)).toEqual(["photos"]);
    again.close();
  });

  it("closes itself when another tab opens the database at a newer version; later calls reject", async () => {
    const blobs = await openIdbBlobStore("upgraded");
    await blobs.put("sha256-ab", "x");
    const newer = await openDB("upgraded-blobs", 2);
    newer.close();
    await expect(blobs.get("sha256-ab")).rejects.toThrow(StoreError);
  });
});
