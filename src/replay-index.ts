import { ExecutionEventType as T, type ExecutionEvent } from "./events.js";

/** What the log says about one step, gathered in one pass when an execution is loaded. */
export interface StepRecord {
  readonly stepId: string;
  kind: "task" | "pause";
  name: string;
  /** Set once the step finished: its result, or the error it failed with. */
  outcome?: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
  /** How many retries were started. */
  retries: number;
  /** True when the last started retry has no recorded end (the process died during it). */
  retryOpen: boolean;
  /** Time of the last retry start, to wait only what is left of its delay. */
  retryStartedAt?: number;
  retryDelay?: number;
  /** Time the step started (a durable sleep wakes at `startedAt + ms`). */
  startedAt: number;
  /** For a pause: whether it was resumed, and with what. */
  resumed: boolean;
  resumeValue?: unknown;
}

/** Updates `index` with one more event (the engine keeps the index current as it records). */
export function applyToIndex(index: Map<string, StepRecord>, event: ExecutionEvent): void {
  const { type, sourceId } = event;
  if (type.startsWith("WORKFLOW_")) return;
  let record = index.get(sourceId);
  if (record === undefined) {
    // Every field up front: one object shape, no property store grown later (a long replay holds thousands).
    record = {
      stepId: sourceId, kind: "task", name: event.name, outcome: undefined, retries: 0, retryOpen: false,
      retryStartedAt: undefined, retryDelay: undefined, startedAt: event.time, resumed: false, resumeValue: undefined,
    };
    index.set(sourceId, record);
  }
  switch (type) {
    case T.TASK_PAUSED:
      record.kind = "pause";
      record.resumed = false;
      break;
    case T.TASK_RESUMED:
      record.resumed = true;
      record.resumeValue = event.value;
      break;
    case T.TASK_COMPLETED:
      record.outcome = { ok: true, value: event.value };
      break;
    case T.TASK_FAILED:
      record.outcome = { ok: false, error: event.value };
      break;
    case T.TASK_RETRY_STARTED: {
      record.retries += 1;
      record.retryOpen = true;
      record.retryStartedAt = event.time;
      const delay = (event.value as { delay?: unknown } | undefined)?.delay;
      record.retryDelay = typeof delay === "number" ? delay : 0;
      break;
    }
    case T.TASK_RETRY_COMPLETED:
    case T.TASK_RETRY_FAILED:
      record.retryOpen = false;
      break;
  }
}
