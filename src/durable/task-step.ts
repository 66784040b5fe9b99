import { SerializationError } from "../errors.js";
import { ExecutionEventType as T } from "../events.js";
import type { Execution } from "../execution.js";
import type { StepRecord } from "../replay-index.js";
import type { StepScope } from "../step-scope.js";
import type { Task } from "../task.js";
import { durableCall, recordedOutcome } from "./durable-call.js";
import { failStep } from "./fail-step.js";
import { StepRun } from "./step-run.js";

/**
 * Runs `task` as a step: replayed from the log when it finished (one lookup, nothing run), else
 * run with its retries, timeout, fallback and rollback, its start recorded first.
 */
export function runTaskStep<A extends unknown[], R>(exec: Execution, scope: StepScope, task: Task<A, R>, args: A): Promise<R> {
  return durableCall(exec, scope, "task", task.name, (e, s, stepId, record) => runUnfinished(e, s, stepId, record, task, args), recordedOutcome<R>);
}

/** A step that has no recorded end: started now (recorded first), or resumed where the log left it. */
async function runUnfinished<A extends unknown[], R>(
  exec: Execution, scope: StepScope, stepId: string, record: StepRecord | undefined, task: Task<A, R>, args: A,
): Promise<R> {
  if (record === undefined) {
    try {
      exec.emit(T.TASK_STARTED, stepId, task.name, args, task.options.outputStorage ?? "engine");
    } catch (error) {
      if (!(error instanceof SerializationError)) throw error;
      exec.emit(T.TASK_STARTED, stepId, task.name, null);
      return failStep(exec, stepId, task.name, error);
    }
  }
  return new StepRun(exec, stepId, task, args, scope.signal, record, runTaskStep).run();
}
