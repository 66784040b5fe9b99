/**
 * The error hierarchy. Every error of the engine is a {@link FluxError} with a stable `code`;
 * below it, {@link ExecutionError} and its subclasses match Flux's `ExecutionError` family
 * (`ExecutionTimeoutError`, `RetryError`, `WorkflowNotFoundError`, `ExecutionNotFoundError` for
 * Flux's `ExecutionContextNotFoundError`, and our `CancelledError`); the rest (store, replay,
 * usage, HTTP) are ours and sit directly under `FluxError`. Messages name the thing concerned (workflow, execution, step, file) and say how to fix it.
 * Errors round-trip through the store: a reloaded failure is an instance of the same class,
 * with its `cause`.
 */
export class FluxError extends Error {
  /** A stable identifier, safe to match on. */
  readonly code: string = "FLUX_ERROR";
  override name = "FluxError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The failure of an execution or of a step. `ctx.output` of a failed execution is an
 * `ExecutionError` (or a subclass); the error the workflow threw is its `cause`.
 */
export class ExecutionError extends FluxError {
  override readonly code: string = "EXECUTION_ERROR";
  override name = "ExecutionError";
}

/** A task attempt (or a whole execution) ran past its timeout. The wait was abandoned. */
export class ExecutionTimeoutError extends ExecutionError {
  override readonly code: string = "EXECUTION_TIMEOUT";
  override name = "ExecutionTimeoutError";
  constructor(message: string, options?: { cause?: unknown; timeout?: number }) {
    super(message, options);
    this.timeout = options?.timeout;
  }
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeout: number | undefined;
}

/** Every attempt of a task with `retry` failed. `cause` is the last attempt's error. */
export class RetryError extends ExecutionError {
  override readonly code: string = "RETRY_EXHAUSTED";
  override name = "RetryError";
  constructor(message: string, options?: { cause?: unknown; attempts?: number }) {
    super(message, options);
    this.attempts = options?.attempts;
  }
  /** How many times the task body ran in all. */
  readonly attempts: number | undefined;
}

/**
 * No workflow of that name is registered where it was looked up. An `ExecutionError`, as in Flux
 * (whose `WorkflowNotFoundError` and `ExecutionContextNotFoundError` are `ExecutionError`s): code
 * that catches `ExecutionError` around a run catches it too.
 */
export class WorkflowNotFoundError extends ExecutionError {
  override readonly code: string = "WORKFLOW_NOT_FOUND";
  override name = "WorkflowNotFoundError";
}

/** No execution of that id is in the store. An `ExecutionError` (Flux's `ExecutionContextNotFoundError`). */
export class ExecutionNotFoundError extends ExecutionError {
  override readonly code: string = "EXECUTION_NOT_FOUND";
  override name = "ExecutionNotFoundError";
}

/**
 * Replay met a durable call that does not match the recorded history at the same position:
 * the workflow's code changed, or it is not deterministic (it branches on `Date.now()`,
 * `Math.random()`, or on anything else that is not read through the context).
 */
export class NonDeterminismError extends FluxError {
  override readonly code: string = "NON_DETERMINISM";
  override name = "NonDeterminismError";
}

/**
 * A store refused a commit because the execution's log moved on since it was read: another
 * runner is working on the same execution. Nothing was written by the refused commit.
 */
export class ConflictError extends FluxError {
  override readonly code: string = "CONFLICT";
  override name = "ConflictError";
}

/** A value given to or returned by a step cannot be recorded (not JSON, Date or Error). */
export class SerializationError extends FluxError {
  override readonly code: string = "SERIALIZATION";
  override name = "SerializationError";
}

/**
 * A value is too large to record: its JSON text is over the engine's hard limit
 * (`EngineOptions.valueLimit`, 64 Mi characters by default). The message names the value (the
 * task and what of it) and its size; the step fails with it, nothing is recorded.
 */
export class ValueTooLargeError extends SerializationError {
  override readonly code: string = "VALUE_TOO_LARGE";
  override name = "ValueTooLargeError";
}

/** A task asked for a secret that its engine's `SecretProvider` does not have. */
export class SecretNotFoundError extends FluxError {
  override readonly code: string = "SECRET_NOT_FOUND";
  override name = "SecretNotFoundError";
}

/** A store cannot be opened or used: corrupt, foreign, newer schema, closed. Names the store. */
export class StoreError extends FluxError {
  override readonly code: string = "STORE_ERROR";
  override name = "StoreError";
}

/** Arguments that cannot work: a bad option, a resume of an execution that is not paused. */
export class UsageError extends FluxError {
  override readonly code: string = "USAGE";
  override name = "UsageError";
}

/**
 * The engine is closing (`engine.close()`, `flux start` stopping): it takes no new work, and a run
 * it had to interrupt was suspended with its lease given up, so that the next runner (or this
 * one, restarted) carries it on at once. `executionId` names that execution when there is one.
 */
export class ShuttingDownError extends FluxError {
  override readonly code: string = "SHUTTING_DOWN";
  override name = "ShuttingDownError";
  constructor(message: string, options?: { cause?: unknown; executionId?: string }) {
    super(message, options);
    this.executionId = options?.executionId;
  }
  /** The execution that was interrupted, if any. */
  readonly executionId: string | undefined;
}

/**
 * A resume found nothing to answer: the execution is not paused on a pause point (nor on a paused
 * subworkflow), e.g. it only sleeps, or it is running. The message names what it waits on.
 */
export class NotResumableError extends FluxError {
  override readonly code: string = "NOT_RESUMABLE";
  override name = "NotResumableError";
}

/**
 * The execution has ended (succeeded, failed or was cancelled): an event sent to it, or a
 * cancellation of it, has nothing left to reach. Nothing was recorded.
 */
export class ExecutionFinishedError extends FluxError {
  override readonly code: string = "EXECUTION_FINISHED";
  override name = "ExecutionFinishedError";
}

/**
 * A commit was refused because the execution's cancellation was asked for: its runner stops and
 * records the cancellation instead (a store raises it; the engine handles it). A kind of
 * `ConflictError`: a commit refused because of another party, nothing written, and retried alone
 * when it shared a batch with others.
 */
export class CancelRequestedError extends ConflictError {
  override readonly code: string = "CANCEL_REQUESTED";
  override name = "CancelRequestedError";
}

/**
 * An execution was cancelled (`engine.cancel`): `ctx.output` of a cancelled execution, carrying
 * the reason given (`reason`, also in the message).
 */
export class CancelledError extends ExecutionError {
  override readonly code: string = "CANCELLED";
  override name = "CancelledError";
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super(message, options);
    this.reason = options?.reason;
  }
  /** The reason given to `engine.cancel`, if any. */
  readonly reason: string | undefined;
}
