import { FluxError } from "../errors.js";

/**
 * An answer of the API that is not a success: `status` is the HTTP status, `code` and `name`
 * those of the server's error (`EXECUTION_NOT_FOUND`, `ExecutionNotFoundError`...), `message`
 * its message (which names the problem and the fix). A 500 carries the id the server logged
 * its details under (`id`). A failure to reach the server at all is fetch's own error.
 */
export class FluxHttpError extends FluxError {
  override readonly code: string;
  override name: string;
  /** The id a server logged a 500's details under. */
  readonly id?: string;
  /** The execution a 503 interrupted (it carries on with the next runner). */
  readonly executionId?: string;

  constructor(readonly status: number, error: { name?: string; code?: string; message?: string; id?: string; execution_id?: string }, readonly method: string, readonly url: string) {
    super(error.message ?? `${method} ${url} answered HTTP ${status}`);
    this.code = error.code ?? `HTTP_${status}`;
    this.name = error.name ?? "FluxHttpError";
    if (error.id !== undefined) this.id = error.id;
    if (error.execution_id !== undefined) this.executionId = error.execution_id;
  }
}
