import { Engine, ExecutionEventType, MemoryStore, type StateStore, type StoredEvent } from "../../src/index.js";
import { sequentialWorkflow } from "./noop.js";

/** A recorded execution of a sequential workflow, cut as if its process died after its last step. */
export interface RecordedHistory {
  readonly steps: number;
  /** The workflow to replay it with. */
  readonly flow: ReturnType<typeof sequentialWorkflow>;
  /** The events up to the last step's completion (no `WORKFLOW_COMPLETED`). */
  readonly events: readonly StoredEvent[];
}

/**
 * Records, with the real engine on the memory store, an execution of `steps` sequential no-op
 * steps, and drops its final `WORKFLOW_COMPLETED`: a history of `2 * steps + 1` events whose
 * replay re-runs nothing and then finishes the execution.
 */
export async function recordHistory(steps: number): Promise<RecordedHistory> {
  const flow = sequentialWorkflow(steps);
  const store = new MemoryStore();
  const ctx = await new Engine({ store }).run(flow, undefined);
  const events = await store.load(ctx.executionId);
  if (events.at(-1)?.type !== ExecutionEventType.WORKFLOW_COMPLETED) throw new Error("the recording did not complete");
  return { steps, flow, events: events.slice(0, -1) };
}

/** Writes `history` into `store` as the execution `executionId` (its workflow events renamed to it). */
export async function plantHistory(store: StateStore, history: RecordedHistory, executionId: string): Promise<void> {
  const events = history.events.map((event) => (event.type.startsWith("WORKFLOW_") ? { ...event, sourceId: executionId } : event));
  await store.commit(executionId, events, { expectedSeq: 0 });
}
