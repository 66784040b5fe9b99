import { ExecutionEventType as T } from "../events.js";
import type { Execution } from "../execution.js";
import { describeStep, parallelStarted } from "../replay-index.js";
import type { StepScope } from "../step-scope.js";

/**
 * Opens a parallel group of `branches` at the next step of `scope` and returns the scope of each
 * branch (`<group>.1.`, `<group>.2.`, …), or `undefined` when the run diverged. The group is
 * recorded (`TASK_STARTED` with `{ parallel: n }`), so a replay checks its shape: a step moved
 * into or out of a group, or a branch added or removed, is a `NonDeterminismError` naming the
 * step, not a body run again.
 */
export function openParallel(exec: Execution, scope: StepScope, branches: number): StepScope[] | undefined {
  const groupId = scope.nextId();
  const scopes = Array.from({ length: branches }, (_, i) => scope.child(`${groupId}.${i + 1}`));
  if (exec.ended) return scopes;
  exec.visited?.add(groupId);
  const record = exec.index.get(groupId);
  const runs = describeStep("parallel", "parallel", branches);
  const diverge = (was: string) => void exec.diverged(`During replay of execution ${exec.id}, step ${groupId} was recorded as ${was}, but the code now runs ${runs}.`);
  if (record !== undefined) {
    if (record.kind !== "parallel") return diverge(describeStep(record.kind, record.name, record.detail));
    if (record.detail !== branches) return diverge(describeStep("parallel", "parallel", record.detail));
    return scopes;
  }
  if (exec.scopes.has(groupId)) {
    // A group recorded before groups were: its branches show how many it had at least.
    const recorded = legacyBranches(exec, groupId);
    return recorded > branches ? diverge(`a parallel group of at least ${recorded} branches`) : scopes;
  }
  if (exec.runtime.strictReplay) {
    return void exec.diverged(`During replay of execution ${exec.id}, the code runs ${runs} as step ${groupId}, which the history does not have.`);
  }
  exec.emit(T.TASK_STARTED, groupId, "parallel", parallelStarted(branches));
  return scopes;
}

function legacyBranches(exec: Execution, groupId: string): number {
  const prefix = `${groupId}.`;
  let most = 0;
  for (const scope of exec.scopes) {
    if (!scope.startsWith(prefix)) continue;
    const branch = Number(scope.slice(prefix.length).split(".")[0]);
    if (Number.isInteger(branch) && branch > most) most = branch;
  }
  return most;
}
