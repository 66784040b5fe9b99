import {
  ConflictError, ExecutionNotFoundError, FluxError, SerializationError, UsageError, WorkflowNotFoundError,
} from "../errors.js";
import { MalformedRequestError, PayloadTooLargeError, RouteNotFoundError, UnauthorizedError } from "./http-errors.js";

/** The HTTP statuses the API answers errors with. */
export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 500;

/** The JSON body of an error response. */
export interface ErrorJson {
  readonly error: { readonly name: string; readonly code: string; readonly message: string };
}

/**
 * The status for an error thrown while serving a request: what the client can fix is 4xx
 * (bad body or id 400, no token 401, unknown workflow, execution or route 404, another runner
 * on the execution 409, body too large 413); anything else is the server's problem, 500.
 */
export function statusOf(error: unknown): ErrorStatus {
  if (error instanceof MalformedRequestError || error instanceof SerializationError || error instanceof UsageError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof WorkflowNotFoundError || error instanceof ExecutionNotFoundError || error instanceof RouteNotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof PayloadTooLargeError) return 413;
  return 500;
}

/**
 * The response body for `error`. Flux errors keep their message (it names the problem and the
 * fix); any other error, whose message might show the server's internals, is reported as an
 * internal error.
 */
export function errorJson(error: unknown): ErrorJson {
  if (error instanceof FluxError) return { error: { name: error.name, code: error.code, message: error.message } };
  return { error: { name: "InternalError", code: "INTERNAL", message: "internal error: the server logged it" } };
}
