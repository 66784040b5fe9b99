import { ExecutionEventType as T, type ExecutionState } from "../../src/events.js";
import type { LeaseClaim, StoredEvent, Suspension, Wait } from "../../src/state-store.js";
import { ev } from "../conformance/case-context.js";

// The random choices of `expectSameAsReference` (random-commits.ts): events, lease claims,
// suspensions and consumed inbox seqs, each drawn from the run's seeded random.

/** The names of the events delivered and waited for. */
export const eventNames = ["go", "stop"] as const;

export function randomEvents(
  id: string, workflow: string, seq: number, state: ExecutionState | undefined, cancelling: boolean, time: number,
  below: (n: number) => number, pick: <V>(items: readonly V[]) => V,
): StoredEvent[] {
  const at = (i: number, type: T, value: unknown = null) => ev(seq + i, type, { name: workflow, time, value, sourceId: i === 0 ? id : String(seq + i) });
  if (seq === 0 && (state === undefined || below(10) > 0)) return [at(0, T.WORKFLOW_STARTED), ...(below(2) === 0 ? [at(1, T.TASK_STARTED)] : [])];
  // Parents finish seldom, so that their children often finish while they are paused.
  const running = ["step", "step", "step", "suspend", "suspend", "empty", ...(workflow === "sub" ? ["finish", "finish"] : below(3) === 0 ? ["finish"] : [])];
  // An execution whose cancellation was asked for mostly records it (its other commits are refused).
  const kind = cancelling && below(2) === 0 ? "cancel" : pick(state === "paused" ? ["resume", "step", "empty"] : running);
  switch (kind) {
    case "cancel":
      return [at(0, T.WORKFLOW_CANCELLED, { reason: "asked" })];
    case "resume":
      return [at(0, T.TASK_RESUMED), at(1, T.WORKFLOW_RESUMED)];
    case "suspend":
      return [at(0, T.TASK_PAUSED), at(1, T.WORKFLOW_PAUSED, { waiting: true })];
    case "finish":
      return [at(0, T.TASK_COMPLETED), at(1, pick([T.WORKFLOW_COMPLETED, T.WORKFLOW_FAILED, T.WORKFLOW_CANCELLED]))];
    case "empty":
      return [];
    default:
      return Array.from({ length: 1 + below(3) }, (_, i) => at(i, pick([T.TASK_STARTED, T.TASK_COMPLETED, T.TASK_RETRY_STARTED])));
  }
}

export function randomClaim(time: number, random: () => number, pick: <V>(items: readonly V[]) => V): LeaseClaim | undefined {
  if (random() < 0.2) return undefined;
  const owner = pick(["A", "B"]);
  return random() < 0.5 ? { owner, now: time } : { owner, now: time, expiresAt: time + pick([50, 400, 3000]) };
}

export function randomSuspension(id: string, children: readonly string[], time: number, below: (n: number) => number, pick: <V>(items: readonly V[]) => V): Suspension {
  const waits: Wait[] = [];
  const count = 1 + below(3);
  for (let i = 0; i < count; i += 1) {
    const stepId = String(i + 1);
    const kind = pick(["pause", "timer", "child", "child", "child", "event", "event"] as const);
    if (kind === "pause") waits.push({ kind, stepId, name: `approval-${i}` });
    else if (kind === "event") waits.push({ kind, stepId, name: pick(eventNames), ...(below(2) === 0 ? { until: time + 10 + below(500) } : {}) });
    else if (kind === "timer") waits.push({ kind, stepId, until: time + 10 + below(500) });
    else waits.push({ kind, stepId, executionId: pick([...children.filter((other) => other !== id), "nobody"]), workflow: "sub" });
  }
  const timers = waits.flatMap((wait) => (wait.kind === "timer" || wait.kind === "event" ? (wait.until === undefined ? [] : [wait.until]) : []));
  return { waits, ...(timers.length > 0 ? { wakeAt: Math.min(...timers) } : {}) };
}

/** One or two of the `pending` seqs to consume (mostly), or a seq that may not be pending: consumed already, or never delivered. */
export function randomConsumes(pending: readonly number[], random: () => number, pick: <V>(items: readonly V[]) => V): number[] {
  if (random() < 0.1) return [pick([1, 2, 40])];
  const first = pick(pending);
  const second = pick(pending);
  return random() < 0.3 && second !== first ? [first, second] : [first];
}
