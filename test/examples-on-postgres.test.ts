import { afterAll, describe, it } from "vitest";
import { openPostgresStore } from "../adapters/postgres/index.js";
import type { StateStore } from "../src/state-store.js";
import { FileBlobStore } from "../adapters/node/file-blob-store.js";
import { testExamples } from "./example-cases.js";
import { tempDir } from "./support/temp-dir.js";
import { usePostgres } from "./support/use-postgres.js";

// The engine's example suite on the PostgreSQL store, on a throwaway cluster of Debian's
// postgresql (each engine a schema of its own). Skipped, saying why, only where PostgreSQL is
// not installed.
const postgres = usePostgres();
const stores: StateStore[] = [];
let schemas = 0;
afterAll(async () => {
  await Promise.allSettled(stores.map((store) => store.close()));
});

if (postgres.unavailable === undefined) {
  const open = async () => {
    const store = await openPostgresStore({ url: postgres.cluster().url(), schema: `examples_${++schemas}`, poolSize: 4 });
    stores.push(store);
    return store;
  };
  testExamples("PostgreSQL (pg)", open);
  // Every value the engine may keep outside its log goes through a blob store (threshold 0).
  testExamples("PostgreSQL (pg), every value in a FileBlobStore", open, () => ({ outputStorage: { blobs: new FileBlobStore(tempDir("flux-pg-blobs-")), threshold: 0 } }));
} else {
  describe("examples on PostgreSQL (pg)", () => {
    it.skip(`(skipped: ${postgres.unavailable})`, () => undefined);
  });
}
