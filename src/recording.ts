import { ExecutionError, FluxError, StoreError } from "./errors.js";
import { ExecutionEventType as T, type ExecutionEvent, type ExecutionEventType } from "./events.js";
import { decodeValue } from "./serialization.js";
import type { StoredEvent } from "./state-store.js";

/** The reason a stopped run's held sleeps abort with (never shown: the run ends "stopped"). */
export class StoppedSignal extends Error {
  override name = "StoppedSignal";
  constructor() {
    super("the engine is closing");
  }
}

/** The error a failed execution records: `error` itself if it is an `ExecutionError`, else one wrapping it. */
export function asExecutionError(workflowName: string, error: unknown): ExecutionError {
  if (error instanceof ExecutionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ExecutionError(`workflow "${workflowName}" failed: ${message}`, { cause: error });
}

const eventTypes = new Map<string, ExecutionEventType>(Object.values(T).map((type) => [type, type]));

/** A stored event's type; a `StoreError` naming the execution and event when flux-ts does not know it. */
export function storedType(executionId: string, event: StoredEvent): ExecutionEventType {
  const type = eventTypes.get(event.type);
  if (type === undefined) {
    throw new StoreError(`execution ${executionId}: event ${event.id} has the unknown type ${JSON.stringify(event.type)}; it was written by a newer flux-ts`);
  }
  return type;
}

/** The value event `id` recorded as `text`, decoded; a `StoreError` naming the execution and event when it cannot be. */
export function decodeRecorded(executionId: string, id: number, text: string): unknown {
  try {
    return decodeValue(text);
  } catch (error) {
    if (error instanceof FluxError) throw error;
    throw new StoreError(`execution ${executionId}: event ${id} holds a value that is not valid JSON; the store is corrupt`, { cause: error });
  }
}


/** How an event's value is named in a `SerializationError` ("the arguments of task \"x\""). */
export function describeValue(type: ExecutionEventType, name: string): string {
  if (type === T.TASK_STARTED || type === T.TASK_FALLBACK_STARTED || type === T.TASK_ROLLBACK_STARTED) return `the arguments of task "${name}"`;
  if (type.startsWith("WORKFLOW_")) return `the value of workflow "${name}"`;
  return `the value of task "${name}"`;
}
