import { childExecutionId } from "../child-id.js";
import { ConflictError, ShuttingDownError } from "../errors.js";
import { ExecutionEventType as T, isTerminal } from "../events.js";
import type { WorkflowExecutionContext } from "../execution-context.js";
import type { Execution } from "../execution.js";
import { callStarted, type StepRecord } from "../replay-index.js";
import { never } from "../scheduling.js";
import type { StepScope } from "../step-scope.js";
import type { Workflow } from "../workflow.js";
import { durableCall, recordedOutcome } from "./durable-call.js";

type Child = WorkflowExecutionContext<unknown, unknown>;

/**
 * A subworkflow call: the child runs as its own execution, with its own events, on the same
 * engine. Resolves with the child's output (rejects with its error), or with its context when
 * `asContext` (a failed child then resolves too: check `.failed`). A replay of the parent never
 * runs the child "to see": it starts a child that does not exist, awaits one this engine is
 * running, reads a finished one's recorded outcome, and otherwise waits on it (the parent
 * suspends; the child's end wakes it). Only a resume forwarded down to it resumes a paused child.
 */
export function callStep<I, O>(exec: Execution, scope: StepScope, workflow: Workflow<I, O>, input: I, asContext: boolean): Promise<unknown> {
  return durableCall(
    exec, scope, "call", workflow.name,
    (e, _scope, stepId, record) => callChild(e, stepId, record, workflow as Workflow<unknown, unknown>, input, asContext),
    asContext ? undefined : recordedOutcome,
  );
}

async function callChild(exec: Execution, stepId: string, record: StepRecord | undefined, workflow: Workflow<unknown, unknown>, input: unknown, asContext: boolean): Promise<unknown> {
  const children = exec.runtime.children;
  children.adopt(workflow);
  const childId = record?.kind === "call" && typeof record.detail === "string" ? record.detail : childExecutionId(exec.id, stepId);
  if (record?.outcome !== undefined) return children.inspectChild(childId);
  if (record === undefined) exec.emit(T.TASK_STARTED, stepId, workflow.name, callStarted(childId, input));
  let child: Child | "waiting" | "not started";
  try {
    child = await reachChild(exec, workflow, input, childId);
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof ShuttingDownError)) {
      exec.halt(error);
      return never();
    }
    child = "waiting";
  }
  // The engine closed before the child could start: nothing to wait on yet; the parent's next
  // runner starts it.
  if (child === "not started") return exec.inFlight.abandon();
  if (child === "waiting" || !child.finished) return exec.inFlight.block({ kind: "child", stepId, executionId: childId, workflow: workflow.name });
  if (asContext) {
    exec.emit(T.TASK_COMPLETED, stepId, workflow.name, { executionId: childId, state: child.state });
    await exec.flush();
    return child;
  }
  exec.emit(child.succeeded ? T.TASK_COMPLETED : T.TASK_FAILED, stepId, workflow.name, child.output, "engine");
  await exec.flush();
  if (!child.succeeded) throw child.output; // failed, or cancelled (a CancelledError)
  return child.output;
}

/**
 * The child at its end; "waiting" when it is paused or run elsewhere (see {@link callStep});
 * "not started" when the engine is closing and the child does not exist yet.
 */
async function reachChild(exec: Execution, workflow: Workflow<unknown, unknown>, input: unknown, childId: string): Promise<Child | "waiting" | "not started"> {
  const children = exec.runtime.children;
  const running = children.runningChild(childId);
  if (running !== undefined) return running;
  const summary = await children.childSummary(childId);
  if (summary === undefined) {
    if (exec.stopping) return "not started";
    return children.startChild(workflow, input, childId, exec.id).catch((error: unknown) => {
      if (error instanceof ShuttingDownError && error.executionId === childId) return "not started" as const;
      throw error;
    });
  }
  if (isTerminal(summary.state)) return children.inspectChild(childId);
  const forward = exec.forward;
  if (summary.state === "paused" && forward?.childId === childId) {
    exec.forward = undefined;
    // The resume aimed at the child's pause must reach it, or the resume fails as a whole (the
    // parent's run halts, recording nothing): its value is never dropped.
    return children.resumeChild(workflow, childId, forward.value).catch((error: unknown) => {
      exec.halt(error);
      return never<Child>();
    });
  }
  return "waiting";
}
