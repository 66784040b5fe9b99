import { ExecutionEventType as T } from "./events.js";
import type { Execution } from "./execution.js";
import { never } from "./scheduling.js";
import type { StepScope } from "./step-scope.js";
import { recorded, track } from "./step-runner.js";
import type { WorkflowExecutionContext } from "./execution-context.js";
import type { Workflow } from "./workflow.js";

/**
 * A pause point. Recorded once; the run suspends when nothing else is in flight, and the call
 * never returns in that run (no `try/catch` can intercept it). On resume, replay returns the
 * value given to `resume` here and the workflow goes on past it.
 */
export function pauseStep(exec: Execution, scope: StepScope, name: string, details: unknown): Promise<unknown> {
  return track(exec, scope, async (stepId) => {
    const record = recorded(exec, stepId, "pause", name);
    if (record === "diverged") return never();
    if (record?.resumed) return record.resumeValue;
    if (record === undefined) exec.emit(T.TASK_PAUSED, stepId, name, details === undefined ? null : details);
    exec.pausePending(name);
    return never();
  }, false);
}

/**
 * A durable sleep: its start is committed before waiting, so a replay after a crash waits only
 * what is left until `start + ms`; a finished sleep replays at once.
 */
export function sleepStep(exec: Execution, scope: StepScope, ms: number): Promise<void> {
  return track(exec, scope, async (stepId) => {
    const record = recorded(exec, stepId, "task", "sleep");
    if (record === "diverged") return never();
    if (record?.outcome !== undefined) return;
    exec.stepStarted();
    try {
      const startedAt = record?.startedAt ?? exec.emit(T.TASK_STARTED, stepId, "sleep", [ms]).time;
      await exec.flush();
      const left = startedAt + ms - exec.runtime.clock.now();
      if (left > exec.runtime.holdSleepsUpTo) {
        exec.stepSettled();
        exec.pausePending(`sleep (step ${stepId})`, startedAt + ms);
        return never();
      }
      if (left > 0) await exec.runtime.clock.sleep(left, scope.signal);
      exec.emit(T.TASK_COMPLETED, stepId, "sleep", null);
      await exec.flush();
    } catch (error) {
      exec.stepSettled();
      throw error;
    }
    exec.stepSettled();
  }, false);
}

/** @internal How a call step runs and reads child executions (implemented by the engine). */
export interface ChildRunner {
  runChild<I, O>(workflow: Workflow<I, O>, input: I, executionId: string): Promise<WorkflowExecutionContext<I, O>>;
  inspectChild<I, O>(executionId: string): Promise<WorkflowExecutionContext<I, O>>;
}

/**
 * A subworkflow call: the child runs as its own execution (id `<parent id>.<step id>`, with its
 * own events) on the same engine. Resolves with the child's output, or with its context when
 * `asContext` (a failed child then resolves too: check `.failed`). A paused child suspends the
 * parent; resume the child by its id, then run the parent again by its id.
 */
export function callStep<I, O>(
  exec: Execution,
  scope: StepScope,
  children: ChildRunner,
  workflow: Workflow<I, O>,
  input: I,
  asContext: boolean,
): Promise<unknown> {
  return track(exec, scope, async (stepId) => {
    const childId = `${exec.id}.${stepId}`;
    const record = recorded(exec, stepId, "task", workflow.name);
    if (record === "diverged") return never();
    if (record?.outcome !== undefined) {
      if (asContext) return children.inspectChild<I, O>(childId);
      if (record.outcome.ok) return record.outcome.value;
      throw record.outcome.error;
    }
    if (record === undefined) exec.emit(T.TASK_STARTED, stepId, workflow.name, [input]);
    exec.stepStarted();
    let child: WorkflowExecutionContext<I, O>;
    try {
      child = await children.runChild(workflow, input, childId);
    } catch (error) {
      exec.stepSettled();
      exec.halt(error);
      return never();
    }
    if (child.paused) {
      exec.stepSettled();
      exec.pausePending(`${workflow.name} (execution ${childId})`);
      return never();
    }
    try {
      if (asContext) {
        exec.emit(T.TASK_COMPLETED, stepId, workflow.name, { executionId: childId, state: child.state });
        await exec.flush();
        return child;
      }
      exec.emit(child.succeeded ? T.TASK_COMPLETED : T.TASK_FAILED, stepId, workflow.name, child.output);
      await exec.flush();
      if (child.failed) throw child.output;
      return child.output;
    } finally {
      exec.stepSettled();
    }
  }, false);
}
