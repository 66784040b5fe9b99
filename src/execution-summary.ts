import { stateAfter } from "./events.js";
import type { ExecutionSummary, StoredEvent } from "./state-store.js";

/**
 * The summary of an execution after `events` were appended to it. Stores call this on every
 * commit so that listing never has to read logs. `previous` is `undefined` for a new execution.
 */
export function nextSummary(
  previous: ExecutionSummary | undefined,
  executionId: string,
  events: readonly StoredEvent[],
): ExecutionSummary {
  const first = events[0];
  const last = events[events.length - 1];
  if (first === undefined || last === undefined) {
    if (previous === undefined) throw new TypeError(`an empty commit cannot create execution ${executionId}`);
    return previous;
  }
  return {
    executionId,
    workflow: previous?.workflow ?? first.name,
    state: stateAfter(previous?.state ?? "created", events.map((event) => event.type)),
    events: (previous?.events ?? 0) + events.length,
    createdAt: previous?.createdAt ?? first.time,
    updatedAt: last.time,
  };
}
