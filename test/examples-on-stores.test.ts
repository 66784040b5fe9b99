import "fake-indexeddb/auto";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll } from "vitest";
import { D1Store, type D1DatabaseLike } from "../adapters/d1/index.js";
import { openIdbStore } from "../adapters/idb/index.js";
import { openSqlJsStore } from "../adapters/sql-js/index.js";
import { openSqliteStore } from "../adapters/sqlite/index.js";
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
beforeAll(async () => {
  ({ mf, db: d1 } = await bridgedD1({ id: "flux-examples", compatibilityDate: "2026-04-01" }));
});
afterAll(() => mf?.dispose());
testExamples("D1 (Miniflare)", () => new D1Store(d1!).ready());
