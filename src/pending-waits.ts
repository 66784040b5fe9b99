import { childExecutionId } from "./child-id.js";
import type { Execution } from "./execution.js";
import type { Wait } from "./state-store.js";
import { inStepOrder } from "./waits.js";

/**
 * What a suspended execution waits on, read from its log: its unresumed pauses, its sleeps that
 * have not ended (until `start + ms`), its tasks waiting for their next attempt (a long retry delay), its subworkflow calls that have not ended, its event waits
 * that got nothing yet (until their timeout); in step order.
 * The same as the waits its suspending commit gave the store (and, for executions recorded by an
 * earlier version, the only place they are).
 */
export function pendingWaits(exec: Execution): Wait[] {
  const waits: Wait[] = [];
  for (const record of exec.index.unfinished()) {
    const { stepId, kind, name, detail } = record;
    if (kind === "pause" && !record.resumed) waits.push({ kind: "pause", stepId, name });
    else if (kind === "sleep" || (kind === "task" && name === "sleep" && typeof detail === "number")) {
      waits.push({ kind: "timer", stepId, until: record.startedAt + (typeof detail === "number" ? detail : 0) });
    } else if (kind === "call") waits.push({ kind: "child", stepId, executionId: String(detail), workflow: name });
    else if (kind === "event") {
      waits.push({ kind: "event", stepId, name, ...(typeof detail === "number" ? { until: record.startedAt + detail } : {}) });
    }
    else if (kind === "task" && record.retryOpen) {
      // A retry delay longer than the engine holds: the run suspended until the next attempt.
      waits.push({ kind: "timer", stepId, until: (record.retryStartedAt ?? 0) + (record.retryDelay ?? 0) });
    }
    else if (kind === "task" && record.single && exec.state === "paused") {
      // A call recorded before kinds were: a paused execution has no task in flight.
      waits.push({ kind: "child", stepId, executionId: childExecutionId(exec.id, stepId), workflow: name });
    }
  }
  return inStepOrder(waits);
}
