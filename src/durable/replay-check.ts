import type { Execution } from "../execution.js";
import { describeStep, type StepKind, type StepRecord } from "../replay-index.js";

/**
 * Why the durable call of `kind` and `name` at `stepId` does not match the log, or `undefined`
 * when it does. A call must find the same kind and name at its position; a step the log does not
 * have is new (live code past the recorded point), unless the history is being verified (strict
 * replay) or the log shows a parallel group at that id. Histories recorded before kinds were
 * (a sleep as `[ms]`, a call as `[input]`) replay as they were recorded.
 */
export function replayMismatch(exec: Execution, stepId: string, record: StepRecord | undefined, kind: StepKind, name: string): string | undefined {
  if (record !== undefined && record.kind === kind && record.name === name) return undefined;
  const calls = (): string => describeStep(kind, name);
  if (record === undefined) {
    if (exec.scopes.has(stepId)) {
      return `During replay of execution ${exec.id}, step ${stepId} was recorded as a parallel group (its steps are ${stepId}.*), but the code now calls ${calls()} there.`;
    }
    if (exec.runtime.strictReplay) return `During replay of execution ${exec.id}, the code calls ${calls()} as step ${stepId}, which the history does not have.`;
    return undefined;
  }
  if (record.kind === "task" && record.name === name && recordedBeforeKinds(record, kind)) return undefined;
  const was = describeStep(record.kind, record.name, record.detail);
  return `During replay of execution ${exec.id}, step ${stepId} was recorded as ${was}, but the code now calls ${calls()}.`;
}

function recordedBeforeKinds(record: StepRecord, kind: StepKind): boolean {
  if (kind === "sleep") return record.name === "sleep" && typeof record.detail === "number";
  return kind === "call" && record.single;
}
