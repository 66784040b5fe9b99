import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from "idb";
import type { ExecutionSummary, StoredEvent } from "../../src/state-store.js";

/** An event as the `events` object store keeps it: keyed by [executionId, id]. */
export interface EventRecord extends StoredEvent {
  readonly executionId: string;
}

/** The object stores and indexes of a flux-ts IndexedDB database (version {@link idbVersion}). */
export interface FluxDbSchema extends DBSchema {
  events: { key: [string, number]; value: EventRecord };
  executions: {
    key: string;
    value: ExecutionSummary;
    indexes: {
      newest: [number, string];
      byWorkflow: [string, number, string];
      byState: [string, number, string];
      byWorkflowState: [string, string, number, string];
    };
  };
  cache: { key: string; value: string };
  leases: { key: string; value: { owner: string; expiresAt: number } };
}

/** The IndexedDB version of the schema this code creates and understands. */
export const idbVersion = 2;

/** The object stores of the schema. */
export const idbStoreNames: readonly StoreNames<FluxDbSchema>[] = ["events", "executions", "cache", "leases"];

/**
 * Brings a database from `oldVersion` to {@link idbVersion} inside the `versionchange`
 * transaction (all of it or nothing): version 1 has events, executions and cache; version 2
 * adds leases. Returns false, creating nothing, when the database holds
 * object stores that are not ours: the caller then aborts the upgrade.
 */
export function upgradeFluxDb(
  db: IDBPDatabase<FluxDbSchema>,
  oldVersion: number,
  _transaction: IDBPTransaction<FluxDbSchema, StoreNames<FluxDbSchema>[], "versionchange">,
): boolean {
  if (foreignStores(db).length > 0) return false;
  if (oldVersion < 1) {
    db.createObjectStore("events", { keyPath: ["executionId", "id"] });
    const executions = db.createObjectStore("executions", { keyPath: "executionId" });
    executions.createIndex("newest", ["createdAt", "executionId"]);
    executions.createIndex("byWorkflow", ["workflow", "createdAt", "executionId"]);
    executions.createIndex("byState", ["state", "createdAt", "executionId"]);
    executions.createIndex("byWorkflowState", ["workflow", "state", "createdAt", "executionId"]);
    db.createObjectStore("cache");
  }
  if (oldVersion < 2) db.createObjectStore("leases");
  return true;
}

/** The object stores of `db` that flux-ts did not create. */
export function foreignStores(db: IDBPDatabase<FluxDbSchema>): string[] {
  const ours = new Set<string>(idbStoreNames);
  return Array.from(db.objectStoreNames as DOMStringList & Iterable<string>).filter((name) => !ours.has(name));
}
