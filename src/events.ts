/**
 * The event vocabulary of an execution. The string values of the seeds' types are those of Python
 * Flux's `ExecutionEventType`, so a history reads the same in both engines; flux-ts adds the
 * event waits' types and `WORKFLOW_CANCELLED`.
 */
export const ExecutionEventType = {
  WORKFLOW_STARTED: "WORKFLOW_STARTED",
  WORKFLOW_COMPLETED: "WORKFLOW_COMPLETED",
  WORKFLOW_FAILED: "WORKFLOW_FAILED",
  WORKFLOW_PAUSED: "WORKFLOW_PAUSED",
  WORKFLOW_RESUMED: "WORKFLOW_RESUMED",
  /** The execution was cancelled (`engine.cancel`); its value is the `CancelledError`. A terminal event. */
  WORKFLOW_CANCELLED: "WORKFLOW_CANCELLED",
  TASK_STARTED: "TASK_STARTED",
  TASK_COMPLETED: "TASK_COMPLETED",
  TASK_FAILED: "TASK_FAILED",
  TASK_PAUSED: "TASK_PAUSED",
  TASK_RESUMED: "TASK_RESUMED",
  TASK_RETRY_STARTED: "TASK_RETRY_STARTED",
  TASK_RETRY_COMPLETED: "TASK_RETRY_COMPLETED",
  TASK_RETRY_FAILED: "TASK_RETRY_FAILED",
  TASK_FALLBACK_STARTED: "TASK_FALLBACK_STARTED",
  TASK_FALLBACK_COMPLETED: "TASK_FALLBACK_COMPLETED",
  TASK_FALLBACK_FAILED: "TASK_FALLBACK_FAILED",
  TASK_ROLLBACK_STARTED: "TASK_ROLLBACK_STARTED",
  TASK_ROLLBACK_COMPLETED: "TASK_ROLLBACK_COMPLETED",
  TASK_ROLLBACK_FAILED: "TASK_ROLLBACK_FAILED",
  /** A `ctx.waitForEvent` began to wait (value: `{ timeout }`, the ms it waits at most, or null). */
  EVENT_WAIT_STARTED: "EVENT_WAIT_STARTED",
  /** The wait got its event (value: `{ seq, payload }`, `seq` its place in the execution's inbox). */
  EVENT_RECEIVED: "EVENT_RECEIVED",
  /** The wait's timeout passed first: it returned `undefined`. */
  EVENT_WAIT_TIMED_OUT: "EVENT_WAIT_TIMED_OUT",
} as const;

/** One of the values of {@link ExecutionEventType}. */
export type ExecutionEventType = (typeof ExecutionEventType)[keyof typeof ExecutionEventType];

/**
 * One recorded fact of an execution, with its value decoded (Dates and Errors rebuilt).
 *
 * - `id`: the event's position in its execution's log, from 0, without gaps.
 * - `sourceId`: the step id for task events (`"3"`, `"3.1"` for a step nested in step 3),
 *   the execution id for workflow events.
 * - `name`: the task's or pause point's name for task events, the workflow's name otherwise.
 * - `time`: milliseconds since the epoch, as read from the engine's clock.
 */
export interface ExecutionEvent {
  readonly id: number;
  readonly type: ExecutionEventType;
  readonly sourceId: string;
  readonly name: string;
  readonly value: unknown;
  readonly time: number;
}

/**
 * Where an execution stands, derived from its events alone, except `queued`: started on a
 * queue and not admitted yet (its log holds its `WORKFLOW_STARTED` only; see `queue()`).
 */
export type ExecutionState = "created" | "queued" | "running" | "paused" | "succeeded" | "failed" | "cancelled";

/**
 * The state an execution is in after `types` were appended to a log whose state was `previous`.
 * Only workflow-level events change the state, so stores can keep a summary up to date from the
 * types of each committed batch without decoding values.
 */
export function stateAfter(previous: ExecutionState, types: Iterable<string>): ExecutionState {
  let state = previous;
  for (const type of types) {
    switch (type) {
      case ExecutionEventType.WORKFLOW_STARTED:
      case ExecutionEventType.WORKFLOW_RESUMED:
        state = "running";
        break;
      case ExecutionEventType.WORKFLOW_PAUSED:
        state = "paused";
        break;
      case ExecutionEventType.WORKFLOW_COMPLETED:
        state = "succeeded";
        break;
      case ExecutionEventType.WORKFLOW_FAILED:
        state = "failed";
        break;
      case ExecutionEventType.WORKFLOW_CANCELLED:
        state = "cancelled";
        break;
    }
  }
  return state;
}

/** True for the states an execution never leaves. */
export function isTerminal(state: ExecutionState): boolean {
  return state === "succeeded" || state === "failed" || state === "cancelled";
}

/** True for the event types that end an execution. */
export function endsExecution(type: string): boolean {
  return type === ExecutionEventType.WORKFLOW_COMPLETED || type === ExecutionEventType.WORKFLOW_FAILED || type === ExecutionEventType.WORKFLOW_CANCELLED;
}
