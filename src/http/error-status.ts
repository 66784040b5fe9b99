import {
  ConflictError, ExecutionFinishedError, ExecutionNotFoundError, FluxError, NotResumableError, SerializationError, ShuttingDownError, UsageError,
  WorkflowNotFoundError,
} from "../errors.js";
import { MalformedRequestError, PayloadTooLargeError, RouteNotFoundError, UnauthorizedError } from "./http-errors.js";

/** The HTTP statuses the API answers errors with. */
export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 500 | 503;

/** The JSON body of an error response. */
export interface ErrorJson {
  readonly error: {
    readonly name: string;
    readonly code: string;
    readonly message: string;
    /** For a 500: the id under which the server logged the details. */
    readonly id?: string;
    /** For a 503 that interrupted a run: the execution, which carries on with the next runner. */
    readonly execution_id?: string;
  };
}

/**
 * The status for an error thrown while serving a request: what the client can fix is 4xx
 * (bad body or id 400, no token 401, unknown workflow, execution or route 404, another runner
 * on the execution or nothing to resume 409, body too large 413); the server stopping is 503
 * (retry elsewhere or later); anything else is the server's problem, 500.
 */
export function statusOf(error: unknown): ErrorStatus {
  if (error instanceof MalformedRequestError || error instanceof SerializationError || error instanceof UsageError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof WorkflowNotFoundError || error instanceof ExecutionNotFoundError || error instanceof RouteNotFoundError) return 404;
  if (error instanceof ConflictError || error instanceof NotResumableError || error instanceof ExecutionFinishedError) return 409;
  if (error instanceof ShuttingDownError) return 503;
  if (error instanceof PayloadTooLargeError) return 413;
  return 500;
}

/**
 * The response body for `error` answered with `status`. A client error keeps its message (it
 * names the problem and the fix). A 500 says nothing of the server's internals (a store's path,
 * a stack): only an error id, under which the server logged the details (`logId`).
 */
export function errorJson(error: unknown, status: ErrorStatus = statusOf(error), logId?: string): ErrorJson {
  if (status === 500 || !(error instanceof FluxError)) {
    const id = logId ?? "unknown";
    return { error: { name: "InternalError", code: "INTERNAL", message: `internal error ${id}: the server logged the details under this id`, id } };
  }
  const base = { name: error.name, code: error.code, message: error.message };
  if (error instanceof ShuttingDownError && error.executionId !== undefined) return { error: { ...base, execution_id: error.executionId } };
  return { error: base };
}
