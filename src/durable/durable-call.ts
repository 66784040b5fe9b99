import type { Execution } from "../execution.js";
import { takeOutcome, type StepKind, type StepRecord } from "../replay-index.js";
import { never } from "../scheduling.js";
import type { StepScope } from "../step-scope.js";
import { replayMismatch } from "./replay-check.js";

/** What one kind of durable call does once the funnel let it through. */
export interface StepBody<R> {
  (exec: Execution, scope: StepScope, stepId: string, record: StepRecord | undefined): Promise<R>;
}

/**
 * The one path of every durable call (task, pause, sleep, subworkflow call): it numbers the step
 * synchronously in call order, records nothing once the run ended (or, when the engine is
 * closing, outside a running task), checks the log's record at that position (same kind and
 * name, or the run halts with `NonDeterminismError`), returns a finished step's recorded result
 * at once (`replay`) with nothing counted, and otherwise counts the call in flight until it
 * settles (or blocks on a wait: see `Execution.block`) while `body` runs it.
 */
export function durableCall<R>(
  exec: Execution,
  scope: StepScope,
  kind: StepKind,
  name: string,
  body: StepBody<R>,
  replay?: (record: StepRecord, exec: Execution) => Promise<R> | undefined,
): Promise<R> {
  const stepId = scope.nextId();
  if (exec.ended || (exec.stopping && !scope.inTask)) return never();
  if (scope.signal?.aborted) return Promise.reject(scope.signal.reason);
  const record = exec.index.get(stepId);
  exec.visited?.add(stepId);
  const mismatch = replayMismatch(exec, stepId, record, kind, name);
  if (mismatch !== undefined) return exec.diverged(mismatch);
  if (record !== undefined && replay !== undefined) {
    const replayed = replay(record, exec);
    if (replayed !== undefined) return replayed;
  }
  exec.inFlight.started();
  const result = body(exec, scope, stepId, record);
  result.then(exec.inFlight.onSettled, exec.inFlight.onSettled);
  return result;
}

/** The recorded outcome of a finished step as a settled promise; `undefined` while it is unfinished. */
export function recordedOutcome<R>(record: StepRecord, exec: Execution): Promise<R> | undefined {
  const outcome = record.outcome;
  if (outcome === undefined) return undefined;
  const value = takeOutcome(outcome, exec.fetchBlob);
  if (value instanceof Promise) return value.then((fetched) => (outcome.ok ? (fetched as R) : Promise.reject(fetched)));
  return outcome.ok ? Promise.resolve(value as R) : Promise.reject(value);
}
