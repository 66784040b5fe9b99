import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from "idb";
import type { ExecutionSummary, InboxEvent, StoredEvent } from "../../src/state-store.js";
import { migrateToVersion3 } from "./idb-upgrade-v3.js";

/** An event as the `events` object store keeps it: keyed by [executionId, id]. */
export interface EventRecord extends StoredEvent {
  readonly executionId: string;
}

/**
 * The events of one commit (two or more, ids `id`, `id + 1`, …) kept as ONE record of the
 * `events` object store since version 5, keyed by [executionId, id of the first]: one request
 * a commit instead of one an event. A log mixes both kinds of record.
 */
export interface EventBatchRecord {
  readonly executionId: string;
  readonly id: number;
  readonly batch: readonly StoredEvent[];
}

/**
 * An event of an execution's inbox as the `inbox` object store keeps it: keyed by
 * [executionId, seq], kept once consumed (so that a seq is never reused), with `pending: 1` until
 * a commit consumes it. IndexedDB indexes no record without the property (a boolean is not a
 * key, hence 1), so the `pending` index holds the pending events only.
 */
export interface InboxRecord extends InboxEvent {
  readonly executionId: string;
  readonly pending?: 1;
}

/** The `pending` index's key range of one execution's pending inbox events, in seq order. */
export function pendingRange(executionId: string): IDBKeyRange {
  return IDBKeyRange.bound([executionId, 1, 0], [executionId, 1, Infinity]);
}

/**
 * The object stores and indexes of a flux-ts IndexedDB database (version {@link idbVersion}).
 * `byWake` indexes `[wakeAt, executionId]`: a summary without `wakeAt` is not in it, so
 * `StateStore.due` reads only executions that have a wake time, in due order. `inbox`'s
 * `pending` index (`[executionId, pending, seq]`) holds each execution's pending events.
 */
export interface FluxDbSchema extends DBSchema {
  events: { key: [string, number]; value: EventRecord | EventBatchRecord };
  executions: {
    key: string;
    value: ExecutionSummary;
    indexes: {
      newest: [number, string];
      byWorkflow: [string, number, string];
      byState: [string, number, string];
      byWorkflowState: [string, string, number, string];
      byWake: [number, string];
    };
  };
  cache: { key: string; value: string };
  inbox: { key: [string, number]; value: InboxRecord; indexes: { pending: [string, number, number] } };
}

/** The IndexedDB version of the schema this code creates and understands. */
export const idbVersion = 5;

/** The object stores of the schema. */
export const idbStoreNames: readonly StoreNames<FluxDbSchema>[] = ["events", "executions", "cache", "inbox"];

/**
 * Object stores of earlier versions that an upgrade deleted (version 2's `leases`): still ours,
 * so a database holding one is an older flux-ts database, never a foreign one.
 */
export const legacyStoreNames: readonly string[] = ["leases"];

/**
 * Brings a database from `oldVersion` to {@link idbVersion} inside the `versionchange`
 * transaction (all of it or nothing): version 1 has events, executions and cache; version 2
 * added leases; version 3 keeps the lease, waits and wake time in each execution's summary
 * (index `byWake`), fills them in for existing executions and deletes `leases` (see
 * `migrateToVersion3`); version 4 adds `inbox` (an execution's cancellation lives in its
 * summary, where older records have none: nothing to fill in); version 5 changes no store but
 * may keep a commit's events as one record ({@link EventBatchRecord}), which an older flux-ts
 * would misread: the version keeps it from opening such a database. Returns false, creating nothing,
 * when the database holds object stores that are not ours: the caller then aborts the upgrade. The data migration continues after
 * this returns, on the transaction's requests; if it fails, `onFailure` gets the error and the
 * transaction is aborted, so the database stays at `oldVersion`, untouched.
 */
export function upgradeFluxDb(
  db: IDBPDatabase<FluxDbSchema>,
  oldVersion: number,
  transaction: IDBPTransaction<FluxDbSchema, StoreNames<FluxDbSchema>[], "versionchange">,
  onFailure: (error: unknown) => void = () => undefined,
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
  if (oldVersion < 3) {
    transaction.objectStore("executions").createIndex("byWake", ["wakeAt", "executionId"]);
    if (oldVersion >= 1) {
      migrateToVersion3(db, transaction).catch((error: unknown) => {
        onFailure(error);
        transaction.done.catch(() => undefined); // rejects with the abort below, which openDB reports
        try {
          transaction.abort();
        } catch {
          // already aborted
        }
      });
    }
  }
  if (oldVersion < 4) {
    db.createObjectStore("inbox", { keyPath: ["executionId", "seq"] }).createIndex("pending", ["executionId", "pending", "seq"]);
  }
  return true;
}

/** The object stores of `db` that no version of flux-ts created. */
export function foreignStores(db: IDBPDatabase<FluxDbSchema>): string[] {
  const ours = new Set<string>([...idbStoreNames, ...legacyStoreNames]);
  return Array.from(db.objectStoreNames as DOMStringList & Iterable<string>).filter((name) => !ours.has(name));
}
