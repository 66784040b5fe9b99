import type { IDBPDatabase, IDBPTransaction, StoreNames } from "idb";
import { ExecutionEventType } from "../../src/events.js";
import type { ExecutionSummary, Lease } from "../../src/state-store.js";
import type { FluxDbSchema } from "./idb-schema.js";

/** The transaction seen without the current schema's types: version 2's `leases` store is not in it. */
type LegacyTransaction = IDBPTransaction<unknown, string[], "versionchange">;

/**
 * The data side of the upgrade to IndexedDB version 3, in the `versionchange` transaction (it
 * awaits only that transaction's requests, so the transaction stays open): each execution's
 * summary gets what version 3 keeps in it, as `nextSummary` would have left it.
 * - its lease, from version 2's `leases` store, when it is running (or created): a paused or
 *   finished execution has given its lease up, so a stale row there is dropped;
 * - its wake time: a running execution's lease expiry (its last event's time when nobody
 *   leases it); a paused one's timer, which earlier versions kept only in the value of its last
 *   WORKFLOW_PAUSED event (`{"pauses":[...],"wakeAt":N}`; none when absent or not JSON).
 * Then `leases` is deleted. A version-1 database (no `leases`) gets wake times only.
 */
export async function migrateToVersion3(
  db: IDBPDatabase<FluxDbSchema>,
  transaction: IDBPTransaction<FluxDbSchema, StoreNames<FluxDbSchema>[], "versionchange">,
): Promise<void> {
  const hasLeases = db.objectStoreNames.contains("leases" as never);
  const leases = new Map<string, Lease>();
  if (hasLeases) {
    const store = (transaction as unknown as LegacyTransaction).objectStore("leases");
    const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
    keys.forEach((key, i) => {
      const lease = values[i] as Partial<Lease> | undefined;
      if (typeof key === "string" && typeof lease?.owner === "string" && typeof lease.expiresAt === "number") {
        leases.set(key, { owner: lease.owner, expiresAt: lease.expiresAt });
      }
    });
  }
  let cursor = await transaction.objectStore("executions").openCursor();
  while (cursor !== null) {
    const summary = cursor.value;
    const lease = leases.get(summary.executionId);
    let next: ExecutionSummary = summary;
    if (summary.state === "running") next = { ...summary, ...(lease === undefined ? {} : { lease }), wakeAt: lease?.expiresAt ?? summary.updatedAt };
    else if (summary.state === "created" && lease !== undefined) next = { ...summary, lease };
    else if (summary.state === "paused") {
      const wakeAt = await lastPauseWake(transaction, summary.executionId);
      if (wakeAt !== undefined) next = { ...summary, wakeAt };
    }
    if (next !== summary) await cursor.update(next);
    cursor = await cursor.continue();
  }
  if (hasLeases) db.deleteObjectStore("leases" as never);
}

/** The `wakeAt` in the value of the execution's last WORKFLOW_PAUSED event, reading its log backwards. */
async function lastPauseWake(
  transaction: IDBPTransaction<FluxDbSchema, StoreNames<FluxDbSchema>[], "versionchange">,
  executionId: string,
): Promise<number | undefined> {
  let cursor = await transaction.objectStore("events").openCursor(IDBKeyRange.bound([executionId, 0], [executionId, Infinity]), "prev");
  while (cursor !== null) {
    const record = cursor.value; // a database of version < 3 has no batch records; read one as the log would be
    const paused = ("batch" in record ? [...record.batch].reverse() : [record]).find((event) => event.type === ExecutionEventType.WORKFLOW_PAUSED);
    if (paused !== undefined) return wakeAtOf(paused.value);
    cursor = await cursor.continue();
  }
  return undefined;
}

function wakeAtOf(text: string): number | undefined {
  try {
    const value = JSON.parse(text) as { wakeAt?: unknown } | null;
    return typeof value?.wakeAt === "number" && Number.isFinite(value.wakeAt) ? value.wakeAt : undefined;
  } catch {
    return undefined;
  }
}
