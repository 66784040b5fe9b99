import { describe, expect, it } from "vitest";
import {
  CancelledError, CancelRequestedError, ConflictError, Engine, ExecutionError, ExecutionFinishedError, ExecutionNotFoundError,
  ExecutionTimeoutError, FluxError, MemoryStore, NonDeterminismError, NotResumableError, RetryError, SecretNotFoundError,
  SerializationError, ShuttingDownError, StoreError, UsageError, ValueTooLargeError, WorkflowNotFoundError, workflow,
} from "../src/index.js";
import { decodeValue, encodeValue } from "../src/serialization.js";

type AnyError = new (message: string) => FluxError;

/**
 * Flux's hierarchy (its errors module): ExecutionError is the base of RetryError,
 * ExecutionTimeoutError, WorkflowNotFoundError and ExecutionContextNotFoundError (ours:
 * ExecutionNotFoundError). Each entry: the class, its parent, its stable code.
 */
const hierarchy: ReadonlyArray<readonly [AnyError, AnyError | ErrorConstructor, string]> = [
  [FluxError, Error, "FLUX_ERROR"],
  [ExecutionError, FluxError, "EXECUTION_ERROR"],
  [ExecutionTimeoutError, ExecutionError, "EXECUTION_TIMEOUT"],
  [RetryError, ExecutionError, "RETRY_EXHAUSTED"],
  [WorkflowNotFoundError, ExecutionError, "WORKFLOW_NOT_FOUND"],
  [ExecutionNotFoundError, ExecutionError, "EXECUTION_NOT_FOUND"],
  [CancelledError, ExecutionError, "CANCELLED"],
  [NonDeterminismError, FluxError, "NON_DETERMINISM"],
  [ConflictError, FluxError, "CONFLICT"],
  [CancelRequestedError, ConflictError, "CANCEL_REQUESTED"],
  [SerializationError, FluxError, "SERIALIZATION"],
  [ValueTooLargeError, SerializationError, "VALUE_TOO_LARGE"],
  [SecretNotFoundError, FluxError, "SECRET_NOT_FOUND"],
  [StoreError, FluxError, "STORE_ERROR"],
  [UsageError, FluxError, "USAGE"],
  [ShuttingDownError, FluxError, "SHUTTING_DOWN"],
  [NotResumableError, FluxError, "NOT_RESUMABLE"],
  [ExecutionFinishedError, FluxError, "EXECUTION_FINISHED"],
];

describe("the error hierarchy (Flux's)", () => {
  it.each(hierarchy.map(([cls, parent, code]) => [cls.name, parent.name, code, cls, parent] as const))(
    "%s extends %s, code %s, and reloads as itself",
    (name, _parentName, code, cls, parent) => {
      expect(Object.getPrototypeOf(cls)).toBe(parent);
      const error = new cls("a message");
      expect(error).toBeInstanceOf(FluxError);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      const reloaded = decodeValue(encodeValue(error)) as FluxError;
      expect(reloaded).toBeInstanceOf(cls);
      expect(reloaded.name).toBe(name);
    },
  );

  it("a run of an unknown workflow or id is caught as an ExecutionError, as in Flux", async () => {
    const known = workflow("known", async () => 1);
    const engine = new Engine({ store: new MemoryStore(), workflows: [known] });
    try {
      let caught: unknown;
      try {
        engine.workflow("unknown");
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(WorkflowNotFoundError);
      expect(caught).toBeInstanceOf(ExecutionError);
      const missing = await engine.resume(known, "no-such-id", 1).catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(ExecutionNotFoundError);
      expect(missing).toBeInstanceOf(ExecutionError);
    } finally {
      await engine.close();
    }
  });
});
