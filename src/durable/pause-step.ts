import { ExecutionEventType as T } from "../events.js";
import type { Execution } from "../execution.js";
import { takeOutcome, type StepRecord } from "../replay-index.js";
import type { StepScope } from "../step-scope.js";
import { durableCall } from "./durable-call.js";

/**
 * A pause point. Recorded once; the call then waits on the pause (the run suspends when nothing
 * else is in flight) and never returns in that run, so no `try/catch` can intercept it. Only a
 * resume aimed at this pause answers it: the replay then returns the resume's value here.
 */
export function pauseStep(exec: Execution, scope: StepScope, name: string, details: unknown): Promise<unknown> {
  return durableCall(exec, scope, "pause", name, (e, _scope, stepId, record) => {
    if (record === undefined) e.emit(T.TASK_PAUSED, stepId, name, details === undefined ? null : details);
    return e.inFlight.block({ kind: "pause", stepId, name });
  }, resumedValue);
}

function resumedValue(record: StepRecord, exec: Execution): Promise<unknown> | undefined {
  if (!record.resumed) return undefined;
  const text = record.resumeValue ?? null;
  record.resumeValue = null;
  return Promise.resolve(takeOutcome({ ok: true, text }, exec.fetchBlob));
}
