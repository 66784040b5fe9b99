import type { StepRecord } from "./replay-index.js";

/** The records a replay checks against: the replay index (`StepIndex`). */
interface Records {
  get(stepId: string): StepRecord | undefined;
  values(): Iterable<StepRecord>;
}

/**
 * The first recorded step a strict replay (verifying a history) should have called and did not,
 * or `undefined`: every recorded step in `index` must be in `visited`, but for the steps nested
 * in a task (or call) the replay did not run, because it returned the task's recorded outcome.
 */
export function uncalledStep(index: Records, visited: ReadonlySet<string>): StepRecord | undefined {
  for (const record of index.values()) {
    if (!visited.has(record.stepId) && !insideUnrunStep(index, visited, record.stepId)) return record;
  }
  return undefined;
}

function insideUnrunStep(index: Records, visited: ReadonlySet<string>, stepId: string): boolean {
  for (let dot = stepId.lastIndexOf("."); dot > 0; dot = stepId.lastIndexOf(".", dot - 1)) {
    const owner = index.get(stepId.slice(0, dot).split("~")[0]!);
    if (owner !== undefined && owner.kind !== "parallel" && (owner.outcome !== undefined || !visited.has(owner.stepId))) return true;
  }
  return false;
}
