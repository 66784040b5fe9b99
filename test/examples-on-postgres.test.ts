import { afterAll, describe, it } from "vitest";
import { openPostgresStore } from "../adapters/postgres/index.js";
import type { StateStore } from "../src/state-store.js";
import { testExamples } from "./example-cases.js";
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
  testExamples("PostgreSQL (pg)", async () => {
    const store = await openPostgresStore({ url: postgres.cluster().url(), schema: `examples_${++schemas}`, poolSize: 4 });
    stores.push(store);
    return store;
  });
} else {
  describe("examples on PostgreSQL (pg)", () => {
    it.skip(`(skipped: ${postgres.unavailable})`, () => undefined);
  });
}
