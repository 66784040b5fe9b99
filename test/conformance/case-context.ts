import { ExecutionEventType } from "../../src/events.js";
import { nextSummary } from "../../src/execution-summary.js";
import { encodeValue } from "../../src/serialization.js";
import type { ExecutionSummary, StateStore, StoredEvent } from "../../src/state-store.js";

/** What a conformance case gets: fresh stores, and other handles on a store's data. */
export interface CaseContext {
  /** A new, empty store; closed after the case. */
  create(): Promise<StateStore>;
  /** Closes `store` and opens its data again (fails the case when the store is not persistent). */
  reopen(store: StateStore): Promise<StateStore>;
  /** A second handle on the data of `store`, as a second process or tab has (fails when there is none). */
  openSecond(store: StateStore): Promise<StateStore>;
}

/** A conformance case: it must assert something that a broken store gets wrong. */
export type Case = (ctx: CaseContext) => Promise<void>;

/** The base of every event time in the cases (ms since the epoch). */
export const T0 = 1_700_000_000_000;

/** A stored event with `value` encoded as the engine encodes it. */
export function ev(
  id: number,
  type: ExecutionEventType,
  options: { name?: string; value?: unknown; time?: number; sourceId?: string } = {},
): StoredEvent {
  return {
    id,
    type,
    sourceId: options.sourceId ?? String(id),
    name: options.name ?? "wf",
    value: encodeValue("value" in options ? options.value : null),
    time: options.time ?? T0 + id,
  };
}

/** `count` task events continuing a log of `start` events. */
export function tasks(start: number, count: number, options: { time?: number; tag?: string } = {}): StoredEvent[] {
  return Array.from({ length: count }, (_, i) =>
    ev(start + i, ExecutionEventType.TASK_COMPLETED, {
      name: `task-${start + i}`,
      value: { tag: options.tag ?? "", i },
      time: options.time ?? T0 + start + i,
      sourceId: options.tag === undefined ? String(start + i) : `${options.tag}.${i}`,
    }),
  );
}

/** The first commit of an execution of `workflow` created at `time`. */
export function started(workflow: string, time: number): StoredEvent[] {
  return [ev(0, ExecutionEventType.WORKFLOW_STARTED, { name: workflow, time, sourceId: "exec" })];
}

/** The summary the reference fold of `nextSummary` gives for these commits. */
export function expectedSummary(executionId: string, commits: readonly (readonly StoredEvent[])[]): ExecutionSummary | undefined {
  let summary: ExecutionSummary | undefined;
  for (const events of commits) if (events.length > 0) summary = nextSummary(summary, { executionId, events });
  return summary;
}
