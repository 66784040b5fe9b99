import "fake-indexeddb/auto";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll } from "vitest";
import { D1Store, type D1DatabaseLike } from "../adapters/d1/index.js";
import { openIdbStore } from "../adapters/idb/index.js";
import { openSqlJsStore } from "../adapters/sql-js/index.js";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { MemoryBlobStore } from "../src/index.js";
import { testExamples } from "./example-cases.js";
import { bridgedD1 } from "./support/d1-bridge.js";
import { tempDir } from "./support/temp-dir.js";

// The engine's example suite on every real store (the memory store runs it in examples.test.ts).
let files = 0;
testExamples("SQLite (better-sqlite3, on disk)", async () => openSqliteStore(join(tempDir("flux-examples-"), `run-${++files}.db`)));
testExamples("sql.js", () => openSqlJsStore());
testExamples("IndexedDB (fake-indexeddb)", () => openIdbStore(`flux-examples-${++files}`));

process.env.WRANGLER_SEND_METRICS = "false";
process.env.WRANGLER_HIDE_BANNER = "true";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
let mf: Miniflare | undefined;
let d1: D1DatabaseLike | undefined;
// A database of its own for the run with blobs (the suite's cache and schedule cases expect a fresh one).
let mfBlobs: Miniflare | undefined;
let d1Blobs: D1DatabaseLike | undefined;
beforeAll(async () => {
  ({ mf, db: d1 } = await bridgedD1({ id: "flux-examples", compatibilityDate: "2026-04-01" }));
  ({ mf: mfBlobs, db: d1Blobs } = await bridgedD1({ id: "flux-examples-blobs", compatibilityDate: "2026-04-01" }));
});
afterAll(async () => {
  await Promise.allSettled([mf?.dispose(), mfBlobs?.dispose()]);
});
testExamples("D1 (Miniflare)", () => new D1Store(d1!).ready());
// Every value the engine may keep outside its log goes through a blob store (threshold 0).
testExamples("D1 (Miniflare), every value in a MemoryBlobStore", () => new D1Store(d1Blobs!).ready(), () => ({ outputStorage: { blobs: new MemoryBlobStore(), threshold: 0 } }));
