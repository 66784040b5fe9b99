import { ExecutionEventType as T } from "../events.js";
import { StoppedSignal, type Execution } from "../execution.js";
import { sleepStarted, takeOutcome, type StepRecord } from "../replay-index.js";
import { never } from "../scheduling.js";
import type { StepScope } from "../step-scope.js";
import { durableCall } from "./durable-call.js";
import { anySignal } from "../scheduling.js";

/**
 * A durable sleep: its start is committed before waiting, so a replay after a crash waits only
 * what is left until `start + ms`; a finished sleep replays at once. A sleep with more left than
 * the engine's `holdSleepsUpTo` (or one the engine's close interrupts) waits on a timer instead:
 * the run suspends, and the engine's dispatcher wakes it when due.
 */
export function sleepStep(exec: Execution, scope: StepScope, ms: number): Promise<void> {
  return durableCall(exec, scope, "sleep", "sleep", (e, s, stepId, record) => sleepFor(e, s, stepId, record, ms), sleptOrFailed);
}

/** A finished sleep replays as it ran: resolved with `undefined` (its record says null). */
function sleptOrFailed(record: StepRecord, exec: Execution): Promise<void> | undefined {
  const outcome = record.outcome;
  if (outcome === undefined) return undefined;
  return outcome.ok ? Promise.resolve() : Promise.resolve(takeOutcome(outcome, exec.fetchBlob)).then((error) => Promise.reject(error));
}

async function sleepFor(exec: Execution, scope: StepScope, stepId: string, record: StepRecord | undefined, ms: number): Promise<void> {
  const startedAt = record?.startedAt ?? exec.emit(T.TASK_STARTED, stepId, "sleep", sleepStarted(ms)).time;
  await exec.flush();
  const until = startedAt + ms;
  const left = until - exec.runtime.clock.now();
  if (left > exec.runtime.holdSleepsUpTo) return exec.inFlight.block({ kind: "timer", stepId, until });
  if (left > 0) {
    try {
      await exec.runtime.clock.sleep(left, scope.signal === undefined ? exec.stopSignal : anySignal([exec.stopSignal, scope.signal]));
    } catch (error) {
      if (exec.halted !== undefined) return never();
      if (error instanceof StoppedSignal) return exec.inFlight.block({ kind: "timer", stepId, until });
      throw error;
    }
  }
  exec.emit(T.TASK_COMPLETED, stepId, "sleep", null);
  await exec.flush();
}
