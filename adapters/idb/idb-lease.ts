import type { IDBPDatabase } from "idb";
import type { ExecutionSummary } from "../../src/state-store.js";
import type { FluxDbSchema } from "./idb-schema.js";

/**
 * Takes, renews or gives up the lease of an execution (see `StateStore.lease`) in ONE readwrite
 * transaction on its summary: sets `(owner, expiresAt)` when nobody holds it, it lapsed, or
 * `owner` holds it, and then moves a running execution's wake time to `expiresAt`. IndexedDB
 * runs readwrite transactions on one store one at a time (across tabs), so of two concurrent
 * takers of a free lease exactly one gets it. Resolves with the summary as it stands afterwards;
 * `undefined` for an unknown execution.
 */
export async function takeLease(
  db: IDBPDatabase<FluxDbSchema>, executionId: string, owner: string, times: { now: number; expiresAt: number },
): Promise<ExecutionSummary | undefined> {
  const tx = db.transaction("executions", "readwrite", { durability: "strict" });
  let current = await tx.store.get(executionId);
  const held = current?.lease;
  if (current !== undefined && (held === undefined || held.expiresAt <= times.now || held.owner === owner)) {
    const lease = { owner, expiresAt: times.expiresAt };
    current = { ...current, lease, ...(current.state === "running" ? { wakeAt: times.expiresAt } : {}) };
    await tx.store.put(current);
  }
  await tx.done;
  return current;
}
