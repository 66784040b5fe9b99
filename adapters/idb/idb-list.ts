import type { IDBPDatabase } from "idb";
import type { ListPosition } from "../../src/list-cursor.js";
import type { ExecutionState } from "../../src/events.js";
import type { ExecutionSummary } from "../../src/state-store.js";
import type { FluxDbSchema } from "./idb-schema.js";

/**
 * Up to `limit` summaries newest first (createdAt, then executionId, both descending) strictly
 * after `after`, filtered by workflow and state, read through the index whose key starts with
 * the filters, in one readonly transaction. IndexedDB orders strings by UTF-16 code units, as
 * JavaScript's `<` does, so the order is exactly the memory store's.
 */
export async function listSummaries(
  db: IDBPDatabase<FluxDbSchema>,
  filter: { workflow: string | undefined; state: ExecutionState | undefined; after: ListPosition | undefined; limit: number },
): Promise<ExecutionSummary[]> {
  const { workflow, state, after, limit } = filter;
  const [indexName, prefix] =
    workflow !== undefined && state !== undefined ? (["byWorkflowState", [workflow, state]] as const)
    : workflow !== undefined ? (["byWorkflow", [workflow]] as const)
    : state !== undefined ? (["byState", [state]] as const)
    : (["newest", []] as const);
  const upper: unknown[] = after === undefined ? [...prefix, Infinity] : [...prefix, after.createdAt, after.executionId];
  const range = prefix.length > 0 ? IDBKeyRange.bound([...prefix], upper, false, true) : IDBKeyRange.upperBound(upper, true);
  const index = db.transaction("executions", "readonly").store.index(indexName);
  const out: ExecutionSummary[] = [];
  let cursor = await index.openCursor(range, "prev");
  while (cursor !== null && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}
