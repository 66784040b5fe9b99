import type { Clock } from "./clock.js";
import type { CommitQueue } from "./commit-queue.js";
import { ExecutionError, FluxError, NonDeterminismError, SerializationError, StoreError } from "./errors.js";
import { ExecutionEventType as T, isTerminal, stateAfter, type ExecutionEvent, type ExecutionEventType, type ExecutionState } from "./events.js";
import { applyToIndex, type StepRecord } from "./replay-index.js";
import { nextMacrotask, never } from "./scheduling.js";
import type { SecretProvider } from "./secrets.js";
import { decodeValue, encodeValue } from "./serialization.js";
import type { StateStore, StoredEvent } from "./state-store.js";

/** What an engine tells its subscribers: every event as it is recorded, and tasks' progress. */
export type EngineNotice =
  | { readonly kind: "event"; readonly executionId: string; readonly event: ExecutionEvent }
  | { readonly kind: "progress"; readonly executionId: string; readonly stepId: string; readonly name: string; readonly value: unknown };

/** @internal What an execution needs of its engine. */
export interface EngineRuntime {
  readonly clock: Clock;
  readonly store: StateStore;
  /** Durable sleeps longer than this (ms) suspend the run instead of holding it. */
  readonly holdSleepsUpTo: number;
  /** Steps must already be recorded (verifying a history). */
  readonly strictReplay: boolean;
  readonly secrets: SecretProvider;
  readonly queue: CommitQueue;
  notify(notice: EngineNotice): void;
  /** True while someone subscribed: notices are built only then. */
  readonly listening: boolean;
}

/** How a run of an execution ended: it finished (succeeded or failed) or it suspended at a pause. */
export type RunOutcome = "finished" | "paused";

/**
 * @internal One execution in memory: its decoded log, its replay index, the events not yet
 * committed, and the bookkeeping that tells when the workflow is suspended. Nothing here is
 * shared between executions, so any number can run interleaved in one realm.
 */
export class Execution {
  readonly events: ExecutionEvent[] = [];
  readonly index: Map<string, StepRecord>;
  state: ExecutionState = "created";
  input: unknown;
  output: unknown;
  /** Set when the run must stop for good: a conflict, a store failure, non-determinism. */
  halted: unknown;
  #committed: number;
  #pending: StoredEvent[] = [];
  #lastFlush: Promise<void> = Promise.resolve();
  #guarded: { readonly commit: Promise<void>; readonly flushed: Promise<void> } | undefined;
  #inFlight = 0;
  #pendingPauses: string[] = [];
  #wakeAt: number | undefined;
  #suspendCheck = false;
  #ended = false;
  #settle?: { resolve: (outcome: RunOutcome) => void; reject: (error: unknown) => void };

  constructor(
    readonly runtime: EngineRuntime,
    readonly id: string,
    readonly workflowName: string,
    stored: readonly StoredEvent[] = [],
  ) {
    this.index = new Map<string, StepRecord>();
    this.#committed = 0;
    this.ingest(stored);
  }

  /**
   * Adds recorded events (the next page of the log, in order) to what this execution knows:
   * decoded, indexed, their state followed, in one pass. Only while loading, before `start`.
   */
  ingest(stored: readonly StoredEvent[]): void {
    const { index } = this;
    for (const event of stored) {
      const decoded = decodeStored(this.id, event);
      this.events.push(decoded);
      applyToIndex(index, decoded);
      this.#applyWorkflowEvent(decoded);
    }
    this.#committed = this.events.length;
  }

  /** How many events are committed (or on their way to the store). */
  get committedCount(): number {
    return this.#committed;
  }

  /** True once the run ended (finished, suspended or halted): later durable calls record nothing. */
  get ended(): boolean {
    return this.#ended || this.halted !== undefined;
  }

  /**
   * Records an event (not yet durable: see {@link flush}). Throws `SerializationError` when
   * `value` cannot be recorded; nothing is recorded then. `redact` lists secret values to hide.
   */
  emit(type: ExecutionEventType, sourceId: string, name: string, value: unknown, redact?: readonly string[]): ExecutionEvent {
    const text = encodeValue(value, describe(type, name), redact);
    const time = this.runtime.clock.now();
    const id = this.#committed + this.#pending.length;
    this.#pending.push({ id, type, sourceId, name, value: text, time });
    const event: ExecutionEvent = { id, type, sourceId, name, value: redact === undefined ? value : decodeValue(text), time };
    this.events.push(event);
    applyToIndex(this.index, event);
    this.#applyWorkflowEvent(event);
    if (this.runtime.listening) this.runtime.notify({ kind: "event", executionId: this.id, event });
    return event;
  }

  /**
   * Makes every recorded event durable. Resolves once they are; never settles if the commit
   * fails (the run is halted and rejects with the store's error instead), so no workflow code
   * runs past a step whose record was lost.
   */
  flush(): Promise<void> {
    const commit = this.commit();
    if (this.#guarded?.commit !== commit) {
      // One guard per commit, shared by every step that joined it (a map's thousands).
      this.#guarded = {
        commit,
        flushed: commit.then(undefined, (error: unknown) => {
          this.halt(error);
          return never<void>();
        }),
      };
    }
    return this.#guarded.flushed;
  }

  /** Like {@link flush}, but rejects with the store's error (for commits made before the workflow runs). */
  commit(): Promise<void> {
    if (this.#pending.length > 0) {
      const events = this.#pending;
      this.#pending = [];
      const expectedSeq = this.#committed;
      this.#committed += events.length;
      this.#lastFlush = this.runtime.queue.commit({ executionId: this.id, events, expectedSeq });
    }
    return this.#lastFlush;
  }

  /** Runs `body` (the workflow) until it finishes or suspends. Resolves with how it ended. */
  start(body: () => Promise<unknown>): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve, reject) => {
      this.#settle = { resolve, reject };
      if (this.halted !== undefined) return reject(this.halted);
      Promise.resolve()
        .then(body)
        .then((output) => this.#finish(T.WORKFLOW_COMPLETED, output), (error: unknown) => this.#finish(T.WORKFLOW_FAILED, error));
    });
  }

  /** Stops the run for good with `error` (the run rejects with it); nothing more is recorded. */
  halt(error: unknown): void {
    if (this.halted !== undefined) return;
    this.halted = error;
    this.#settle?.reject(error);
  }

  /** Halts with a `NonDeterminismError` and returns a promise that never settles. */
  diverged(message: string): Promise<never> {
    this.halt(new NonDeterminismError(`${message} Check that workflow "${this.workflowName}" is deterministic, or finish old executions on the old code (execution ${this.id}).`));
    return never();
  }

  /** @internal counts a durable call in flight (a workflow with none left and a pause pending suspends). */
  stepStarted(): void {
    this.#inFlight += 1;
  }

  stepSettled(): void {
    this.#inFlight -= 1;
    this.#maybeSuspend();
  }

  /** {@link stepSettled} as one function per execution, to hand to every step's `then` without a closure each. */
  readonly onStepSettled = (): void => this.stepSettled();

  /**
   * Registers a pause that waits for a resume (or, with `wakeAt`, a sleep that waits for that
   * time); the run suspends once nothing else is in flight.
   */
  pausePending(name: string, wakeAt?: number): void {
    this.#pendingPauses.push(name);
    if (wakeAt !== undefined) this.#wakeAt = Math.min(wakeAt, this.#wakeAt ?? wakeAt);
    this.#maybeSuspend();
  }

  #maybeSuspend(): void {
    if (this.#inFlight > 0 || this.#pendingPauses.length === 0 || this.ended || this.#suspendCheck) return;
    this.#suspendCheck = true;
    nextMacrotask(() => {
      this.#suspendCheck = false;
      if (this.#inFlight > 0 || this.ended) return;
      const wake = this.#wakeAt === undefined ? {} : { wakeAt: this.#wakeAt };
      this.emit(T.WORKFLOW_PAUSED, this.id, this.workflowName, { pauses: this.#pendingPauses.slice(), ...wake });
      this.#ended = true;
      void this.flush().then(() => this.#settle?.resolve("paused"));
    });
  }

  #finish(type: typeof T.WORKFLOW_COMPLETED | typeof T.WORKFLOW_FAILED, value: unknown): void {
    if (this.ended) return;
    try {
      this.emit(type, this.id, this.workflowName, type === T.WORKFLOW_FAILED ? asExecutionError(this.workflowName, value) : value);
    } catch (error) {
      if (!(error instanceof SerializationError)) return this.halt(error);
      const failure = new SerializationError(`workflow "${this.workflowName}" returned a value that cannot be recorded: ${error.message}`, { cause: error });
      this.emit(T.WORKFLOW_FAILED, this.id, this.workflowName, asExecutionError(this.workflowName, failure));
    }
    this.#ended = true;
    void this.flush().then(() => this.#settle?.resolve("finished"));
  }

  #applyWorkflowEvent(event: ExecutionEvent): void {
    if (!event.type.startsWith("WORKFLOW_")) return;
    this.state = stateAfter(this.state, [event.type]);
    if (event.type === T.WORKFLOW_STARTED) this.input = event.value;
    if (isTerminal(this.state)) this.output = event.value;
  }
}

/** The error a failed execution records: `error` itself if it is an `ExecutionError`, else one wrapping it. */
export function asExecutionError(workflowName: string, error: unknown): ExecutionError {
  if (error instanceof ExecutionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ExecutionError(`workflow "${workflowName}" failed: ${message}`, { cause: error });
}

const eventTypes = new Map<string, ExecutionEventType>(Object.values(T).map((type) => [type, type]));

function decodeStored(executionId: string, event: StoredEvent): ExecutionEvent {
  const type = eventTypes.get(event.type);
  if (type === undefined) {
    throw new StoreError(`execution ${executionId}: event ${event.id} has the unknown type ${JSON.stringify(event.type)}; it was written by a newer flux-ts`);
  }
  let value: unknown;
  try {
    value = decodeValue(event.value);
  } catch (error) {
    if (error instanceof FluxError) throw error;
    throw new StoreError(`execution ${executionId}: event ${event.id} holds a value that is not valid JSON; the store is corrupt`, { cause: error });
  }
  return { id: event.id, type, sourceId: event.sourceId, name: event.name, value, time: event.time };
}

function describe(type: ExecutionEventType, name: string): string {
  if (type === T.TASK_STARTED || type === T.TASK_FALLBACK_STARTED || type === T.TASK_ROLLBACK_STARTED) return `the arguments of task "${name}"`;
  if (type.startsWith("WORKFLOW_")) return `the value of workflow "${name}"`;
  return `the value of task "${name}"`;
}
