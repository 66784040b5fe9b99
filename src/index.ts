/**
 * flux-ts: durable workflows that replay from an event log, in any JavaScript environment.
 * This entry is the environment-agnostic core; the package's export conditions add the
 * environment's default store (SQLite on disk in Node, IndexedDB in a browser).
 */
export { task, type Task, type TaskOptions, type RetryPolicy } from "./task.js";
export type { TaskContext } from "./task-context.js";
export { workflow, Workflow, type WorkflowBody, type WorkflowRunOptions, type WorkflowOptions } from "./workflow.js";
export { queue, admissionRoom, rateRetryAt, type Queue, type QueueOptions, type QueueRate, type QueueCounts } from "./queue.js";
export { WorkflowExecutionContext } from "./execution-context.js";
export { Graph } from "./graph.js";
export { Engine, type EngineOptions, type RunOptions, type EngineNotice, type CloseOptions, type DispatcherOptions, type RecoverReport, type CancelResult, type ScheduleStatus } from "./engine.js";
export { firingId, type ScheduleDefinition } from "./schedule-definition.js";
export { defaultEngine, setDefaultEngine } from "./default-engine.js";
export { ExecutionEventType, stateAfter, isTerminal, endsExecution, type ExecutionEvent, type ExecutionState } from "./events.js";
export {
  FluxError, ExecutionError, ExecutionTimeoutError, RetryError, WorkflowNotFoundError, ExecutionNotFoundError,
  NonDeterminismError, ConflictError, SerializationError, SecretNotFoundError, StoreError, UsageError, ShuttingDownError, NotResumableError,
  CancelledError, CancelRequestedError, ExecutionFinishedError, ValueTooLargeError,
} from "./errors.js";
export { registerErrorClass } from "./error-classes.js";
export type {
  StateStore, StoredEvent, Commit, CommitOptions, ExecutionSummary, ListOptions, ExecutionPage, Lease, LeaseClaim, LoadPage, Wait, Suspension, DueOptions, InboxEvent, CancelRequest,
  AdmitOptions, Admission,
} from "./state-store.js";
export { MemoryStore } from "./memory-store.js";
export { MemoryBlobStore } from "./blobs/memory-blob-store.js";
export { isBlobKey, assertBlobKey, type BlobStore } from "./blobs/blob-store.js";
export { StoredBlob } from "./blobs/stored-blob.js";
export { DEFAULT_OUTPUT_THRESHOLD, DEFAULT_VALUE_LIMIT, type OutputStorage, type TaskOutputStorage } from "./blobs/value-storage.js";
export { nextSummary, commitConflict, leaseBlocks, childFinished, wakeParent, waitedChildren, waitedEvents, eventDelivered, cancelRequested } from "./execution-summary.js";
export { dueOrder, dueSize } from "./due-order.js";
export { encodeCursor, decodeCursor, isAfter, pageSize, type ListPosition } from "./list-cursor.js";
export { encodeValue, decodeValue } from "./serialization.js";
export { secretsFrom, noSecrets, type SecretProvider } from "./secrets.js";
export { systemClock, type Clock } from "./clock.js";
export { VirtualClock } from "./virtual-clock.js";
export { randomUUID } from "./random-uuid.js";
export { replayHistory, type ReplayHistoryOptions } from "./history.js";
export { inspectPage, pageOf, INSPECT_PAGE_DEFAULT, INSPECT_PAGE_MAX, type InspectPageOptions, type InspectedPage } from "./inspection.js";
export { checkHistory, checkExecution, loadHistory, calledIds, type HistoryCheck, type HistoryCheckOptions, type ExecutionCheck, type LoadedHistory } from "./history-check.js";
