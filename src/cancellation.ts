import { CancelledError, ConflictError, ExecutionNotFoundError } from "./errors.js";
import { ExecutionEventType as T, isTerminal, type ExecutionState } from "./events.js";
import type { Execution } from "./execution.js";
import type { ExecutionRunner } from "./execution-runner.js";
import { childExecutionId } from "./child-id.js";
import { validateExecutionId } from "./workflow-registry.js";

/** What `engine.cancel` did. */
export interface CancelResult {
  readonly executionId: string;
  /** The state after: "cancelled", or as it ended before (nothing done), or "running" when another runner records it. */
  readonly state: ExecutionState;
  /** True when this call cancelled it (or asked its runner to); false when it had already ended. */
  readonly cancelled: boolean;
}

/**
 * Cancels an execution (see `Engine.cancel`): the request is made durable first; a run of it on
 * this engine stops at once; a paused one (or one whose runner died) is claimed and its
 * `WORKFLOW_CANCELLED` recorded now; one another live runner runs is left to that runner, which
 * learns it at its next commit or lease renewal. Its unfinished subworkflows are cancelled too.
 */
export async function cancelExecution(runner: ExecutionRunner, executionId: string, reason?: string): Promise<CancelResult> {
  validateExecutionId(executionId);
  const { store, clock } = runner.runtime;
  const summary = await store.get(executionId);
  if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} to cancel: check the id (flux list shows them)`);
  if (isTerminal(summary.state)) return { executionId, state: summary.state, cancelled: false };
  const request = reason === undefined ? { time: clock.now() } : { reason, time: clock.now() };
  const after = await store.requestCancel(executionId, request);
  if (isTerminal(after.state)) return { executionId, state: after.state, cancelled: false };
  const here = runner.leases.running().find((exec) => exec.id === executionId);
  if (here !== undefined) {
    here.cancel(after.cancel?.reason);
    await runner.runs.get(executionId)?.catch(() => undefined);
    return { executionId, state: here.state, cancelled: here.state === "cancelled" };
  }
  const exec = await recordCancellation(runner, executionId, after.cancel?.reason);
  return { executionId, state: exec?.state ?? "running", cancelled: true };
}

/**
 * Records the cancellation of an execution not running on this engine: claims it (undefined when
 * another live runner holds it: that runner records it), appends `WORKFLOW_CANCELLED`, and then
 * cancels its unfinished children.
 */
export async function recordCancellation(runner: ExecutionRunner, executionId: string, reason: string | undefined): Promise<Execution | undefined> {
  const { leases } = runner;
  try {
    leases.reserve(executionId);
  } catch (error) {
    if (error instanceof ConflictError) return undefined; // a run of it here stops by its own request check
    throw error;
  }
  let claimed = false;
  try {
    await leases.claim(executionId);
    claimed = true;
    const exec = await runner.load(executionId);
    if (exec === undefined) throw new ExecutionNotFoundError(`execution ${executionId} vanished from the store`);
    if (!isTerminal(exec.state)) {
      const error = new CancelledError(`execution ${executionId} was cancelled${reason === undefined ? "" : `: ${reason}`}`, reason === undefined ? {} : { reason });
      exec.emit(T.WORKFLOW_CANCELLED, executionId, exec.workflowName, error);
      await exec.commit();
    }
    await leases.release(executionId, false);
    await cancelChildren(runner, exec, executionId);
    // Its end made a paused parent due, and freed its slot in its queue: have them looked at now.
    const after = await runner.runtime.store.get(executionId);
    if (after?.parentId !== undefined) runner.lookAt(after.parentId);
    if (after?.queue !== undefined) runner.freed(after.queue);
    return exec;
  } catch (error) {
    await leases.release(executionId, claimed);
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

/** Cancels the subworkflows `exec` (just cancelled) started and that have not ended. */
export async function cancelChildren(runner: ExecutionRunner, exec: Execution, parentId: string): Promise<void> {
  const children: string[] = [];
  for (const record of exec.index.unfinished()) {
    if (record.kind === "call") children.push(String(record.detail));
    else if (record.kind === "task" && record.single) children.push(childExecutionId(parentId, record.stepId));
  }
  await Promise.all(children.map(async (childId) => {
    if ((await runner.runtime.store.get(childId)) === undefined) return;
    await cancelExecution(runner, childId, `its parent ${parentId} was cancelled`).catch(() => undefined);
  }));
}
