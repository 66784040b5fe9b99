import {
  ConflictError, ExecutionError, ExecutionNotFoundError, ExecutionTimeoutError, FluxError, NonDeterminismError,
  RetryError, SecretNotFoundError, SerializationError, StoreError, UsageError, WorkflowNotFoundError,
  CancelledError, CancelRequestedError, ExecutionFinishedError, NotResumableError, ShuttingDownError, ValueTooLargeError,
} from "./errors.js";

type ErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

const registry = new Map<string, ErrorClass>([
  ["Error", Error], ["TypeError", TypeError], ["RangeError", RangeError], ["SyntaxError", SyntaxError],
  ["ReferenceError", ReferenceError], ["EvalError", EvalError], ["URIError", URIError],
  ["FluxError", FluxError], ["ExecutionError", ExecutionError], ["ExecutionTimeoutError", ExecutionTimeoutError],
  ["RetryError", RetryError], ["WorkflowNotFoundError", WorkflowNotFoundError],
  ["ExecutionNotFoundError", ExecutionNotFoundError], ["NonDeterminismError", NonDeterminismError],
  ["ConflictError", ConflictError], ["SerializationError", SerializationError],
  ["SecretNotFoundError", SecretNotFoundError], ["StoreError", StoreError], ["UsageError", UsageError],
  ["CancelledError", CancelledError], ["CancelRequestedError", CancelRequestedError],
  ["ExecutionFinishedError", ExecutionFinishedError],
  ["NotResumableError", NotResumableError], ["ShuttingDownError", ShuttingDownError],
  ["ValueTooLargeError", ValueTooLargeError],
]);

/**
 * Makes errors named `name` reload as instances of `errorClass` (its constructor must accept
 * `(message, { cause })`). Unregistered names reload as a plain `Error` whose `name` is kept.
 *
 * @example
 * class PaymentDeclined extends Error { override name = "PaymentDeclined"; }
 * registerErrorClass("PaymentDeclined", PaymentDeclined);
 */
export function registerErrorClass(name: string, errorClass: ErrorClass): void {
  registry.set(name, errorClass);
}

/** The class registered for `name`, if any. */
export function errorClassFor(name: string): ErrorClass | undefined {
  return registry.get(name);
}
