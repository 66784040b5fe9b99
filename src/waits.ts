import type { Wait } from "./state-store.js";

/**
 * Orders step ids as the workflow calls them: segment by segment, numerically (`"2" < "10"`,
 * `"3" < "3.1" < "4"`); a retry's nested scope (`"3~1.2"`) comes after the first attempt's.
 */
export function compareStepIds(a: string, b: string): number {
  const left = a.split(".");
  const right = b.split(".");
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const difference = compareSegment(left[i]!, right[i]!);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function compareSegment(a: string, b: string): number {
  const [stepA = "0", attemptA = "0"] = a.split("~");
  const [stepB = "0", attemptB = "0"] = b.split("~");
  return Number(stepA) - Number(stepB) || Number(attemptA) - Number(attemptB) || (a < b ? -1 : a > b ? 1 : 0);
}

/** `waits` in step order (what a resume answers first comes first). */
export function inStepOrder(waits: Iterable<Wait>): Wait[] {
  return [...waits].sort((a, b) => compareStepIds(a.stepId, b.stepId));
}

/**
 * The value of `WORKFLOW_PAUSED` for an execution that suspends on `waits` (in step order): as in
 * Flux, the name of the pause point it stopped at; for a first wait that is not a pause, a short
 * name of what it waits on (`"sleep"`, `"call:<workflow>"`, `"event:<name>"`).
 */
export function suspensionName(waits: readonly Wait[]): string {
  const first = waits[0];
  if (first === undefined) return "";
  switch (first.kind) {
    case "pause":
      return first.name;
    case "timer":
      return "sleep";
    case "child":
      return `call:${first.workflow}`;
    case "event":
      return `event:${first.name}`;
  }
}

/** The earliest timer among `waits` (sleeps, and event waits' timeouts), or `undefined`. */
export function earliestTimer(waits: readonly Wait[]): number | undefined {
  let earliest: number | undefined;
  for (const wait of waits) {
    const until = wait.kind === "timer" || wait.kind === "event" ? wait.until : undefined;
    if (until !== undefined && (earliest === undefined || until < earliest)) earliest = until;
  }
  return earliest;
}

/** How a wait reads in messages: `pause "approval" (step 2)`, `sleep until 2026-…`, `subworkflow "x" (execution …)`. */
export function describeWait(wait: Wait): string {
  switch (wait.kind) {
    case "pause":
      return `pause "${wait.name}" (step ${wait.stepId})`;
    case "timer":
      return `sleep until ${new Date(wait.until).toISOString()} (step ${wait.stepId})`;
    case "child":
      return `subworkflow "${wait.workflow}" (execution ${wait.executionId})`;
    case "event":
      return `event "${wait.name}"${wait.until === undefined ? "" : ` until ${new Date(wait.until).toISOString()}`} (step ${wait.stepId})`;
  }
}
