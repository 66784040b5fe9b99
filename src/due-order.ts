import type { ExecutionSummary } from "./state-store.js";

/** The order of `StateStore.due`: earliest `wakeAt` first, then by execution id. */
export function dueOrder(a: ExecutionSummary, b: ExecutionSummary): number {
  return (a.wakeAt ?? 0) - (b.wakeAt ?? 0) || (a.executionId < b.executionId ? -1 : a.executionId > b.executionId ? 1 : 0);
}

/** How many executions `StateStore.due` returns for `limit`: default 100, at least 1, at most 1000. */
export function dueSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 100;
  return Math.min(1000, Math.max(1, Math.floor(limit)));
}
