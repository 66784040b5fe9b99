import { afterEach } from "vitest";
import { openSqliteStore } from "../../adapters/sqlite/index.js";
import type { StateStore } from "../../src/state-store.js";

/**
 * Opens SQLite stores for the tests of the calling `describe` and closes them after each test:
 * call it inside a `describe` (it registers that block's `afterEach`).
 */
export function sqliteStoresClosedAfterEach(): {
  /** Opens the SQLite store at `file`, closed after the test. */
  open: (file: string) => Promise<StateStore>;
  /** Closes `store` (opened otherwise) after the test too. */
  adopt: (store: StateStore) => void;
} {
  const opened: StateStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return {
    async open(file) {
      const store = await openSqliteStore(file);
      opened.push(store);
      return store;
    },
    adopt: (store) => void opened.push(store),
  };
}
