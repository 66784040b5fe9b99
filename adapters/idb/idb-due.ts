import type { IDBPDatabase } from "idb";
import type { ExecutionSummary } from "../../src/state-store.js";
import type { FluxDbSchema } from "./idb-schema.js";

/**
 * Up to `limit` summaries whose `wakeAt` is at or before `until`, earliest first then by id, of
 * `workflows` only when given: one readonly transaction on the `byWake` index (keys
 * `[wakeAt, executionId]`; a summary without `wakeAt` is not in it), so nothing that is not due
 * is read. Without a filter it is a single `getAll`; with one, a cursor that skips the due
 * executions of other workflows as it meets them. IndexedDB orders numbers and then strings
 * (by UTF-16 code units) as `dueOrder` does.
 */
export async function dueSummaries(
  db: IDBPDatabase<FluxDbSchema>,
  query: { until: number; limit: number; workflows: readonly string[] | undefined },
): Promise<ExecutionSummary[]> {
  const { until, limit, workflows } = query;
  if (workflows !== undefined && workflows.length === 0) return [];
  // An array key sorts after every string, so [until, []] is above every [until, id].
  const range = IDBKeyRange.upperBound([until, []]);
  const index = db.transaction("executions", "readonly").store.index("byWake");
  if (workflows === undefined) return index.getAll(range, limit);
  const wanted = new Set(workflows);
  const out: ExecutionSummary[] = [];
  let cursor = await index.openCursor(range);
  while (cursor !== null && out.length < limit) {
    if (wanted.has(cursor.value.workflow)) out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}
