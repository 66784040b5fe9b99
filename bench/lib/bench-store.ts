import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../adapters/sqlite/index.js";
import { MemoryStore } from "../../src/memory-store.js";
import type { StateStore } from "../../src/state-store.js";

/** The stores a durable workload runs on: the Node default (SQLite file) and the in-memory reference. */
export type StoreKind = "sqlite" | "memory";

/** A store opened for one run, and how to close it and remove its files. */
export interface BenchStore {
  readonly store: StateStore;
  /** The SQLite file, for a child process to reopen; `undefined` for the memory store. */
  readonly path: string | undefined;
  dispose(): Promise<void>;
}

/**
 * Opens a fresh store of `kind`: for SQLite, a new file in a new temp directory (the default
 * store's settings: WAL, synchronous = FULL), removed by `dispose`.
 */
export async function openBenchStore(kind: StoreKind): Promise<BenchStore> {
  if (kind === "memory") {
    const store = new MemoryStore();
    return { store, path: undefined, dispose: () => store.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), "flux-bench-"));
  const path = join(dir, "flux.db");
  const store = await new SqliteStore(path).ready();
  return {
    store,
    path,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
