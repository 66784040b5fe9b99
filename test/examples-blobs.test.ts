import "fake-indexeddb/auto";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { MemoryBlobStore, MemoryStore, type BlobStore } from "../src/index.js";
import { openIdbBlobStore, openIdbStore } from "../adapters/idb/index.js";
import { FileBlobStore } from "../adapters/node/file-blob-store.js";
import { openSqlJsStore } from "../adapters/sql-js/index.js";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { testExamples } from "./example-cases.js";
import { tempDir } from "./support/temp-dir.js";

// The engine's example suite with output storage at threshold 0: every value the engine may keep
// outside its log (inputs, task arguments and results, outputs, resume values, event payloads)
// goes through a blob store, and the log holds references. (D1, PostgreSQL and the Durable
// Object store run it in their own files.)

/** Puts and gets made through the blob stores of each suite: proof the values went through them. */
const calls = new Map<string, { puts: number; gets: number }>();

/** `blobs`, counting its puts and gets under `suite`. */
function counted(suite: string, blobs: BlobStore): BlobStore {
  const count = calls.get(suite) ?? { puts: 0, gets: 0 };
  calls.set(suite, count);
  return {
    put: (key, data) => ((count.puts += 1), blobs.put(key, data)),
    get: (key) => ((count.gets += 1), blobs.get(key)),
    delete: (key) => blobs.delete(key),
  };
}

afterAll(() => {
  expect([...calls.keys()]).toHaveLength(4);
  // Every example records values and replays them: each suite wrote and read many blobs.
  for (const [suite, { puts, gets }] of calls) {
    expect(puts, suite).toBeGreaterThan(50);
    expect(gets, suite).toBeGreaterThan(20);
  }
});

const everyValue = (suite: string, blobs: () => BlobStore | Promise<BlobStore>) => async () => ({ outputStorage: { blobs: counted(suite, await blobs()), threshold: 0 } });
let files = 0;
testExamples("the memory store, every value in a MemoryBlobStore", () => new MemoryStore(), everyValue("memory", () => new MemoryBlobStore()));
testExamples(
  "SQLite, every value in a FileBlobStore",
  () => openSqliteStore(join(tempDir("flux-examples-blobs-"), `run-${++files}.db`)),
  everyValue("sqlite", () => new FileBlobStore(tempDir("flux-blobs-"))),
);
testExamples("sql.js, every value in a MemoryBlobStore", () => openSqlJsStore(), everyValue("sql.js", () => new MemoryBlobStore()));
let idb = 0;
testExamples("IndexedDB (fake-indexeddb), every value in an IdbBlobStore", () => openIdbStore(`flux-examples-blobs-${++idb}`), everyValue("idb", () => openIdbBlobStore(`flux-examples-blobs-${idb}`)));
