import { CancelledError, CancelRequestedError, NonDeterminismError, SerializationError, StoreError, ValueTooLargeError } from "./errors.js";
import { ExecutionEventType as T, isTerminal, stateAfter, type ExecutionEvent, type ExecutionEventType, type ExecutionState } from "./events.js";
import type { EngineRuntime } from "./engine-runtime.js";
import { EventLog } from "./event-log.js";
import type { PlacedBlob, ValuePlacement } from "./blobs/value-storage.js";
import { StoredBlob } from "./blobs/stored-blob.js";
import { applyToIndex, describeStep } from "./replay-index.js";
import { StepIndex } from "./step-index.js";
import { asExecutionError, decodeRecorded, describeValue, storedType, StoppedSignal } from "./recording.js";
import { uncalledStep } from "./replay-coverage.js";
import { never } from "./scheduling.js";
import { decodeValue, encodeValue } from "./serialization.js";
import { InFlight } from "./in-flight.js";
import { Outbox } from "./outbox.js";
import type { StoredEvent, Suspension, Wait } from "./state-store.js";
import { earliestTimer, inStepOrder, suspensionName } from "./waits.js";

export type { EngineNotice, EngineRuntime } from "./engine-runtime.js";
export { asExecutionError, StoppedSignal } from "./recording.js";

/** How a run of an execution ended: it finished, suspended on its waits, or was stopped by the engine's close. */
export type RunOutcome = "finished" | "paused" | "stopped";

/** Events a resume records only once the run records something else (or its pause's value must be kept). */
interface DeferredResume {
  readonly events: readonly (readonly [ExecutionEventType, string, string, unknown])[];
  /** True when it answers a pause: recorded even if nothing else is, so the value is never lost. */
  readonly answersPause: boolean;
}

/**
 * @internal One execution in memory: its log (compact, values encoded), its replay index, the events not yet
 * committed, what its suspended calls wait on, and the bookkeeping that tells when the workflow
 * is suspended. Nothing here is shared between executions, so any number can run interleaved in
 * one realm.
 */
export class Execution {
  /** The log as compact records; `events` is its lazily decoded view. */
  readonly log: EventLog;
  readonly index: StepIndex;
  /** Ids under which steps are recorded (`"2"` for `"2.1.1"`): a step id here without a record was a parallel group. */
  readonly scopes = new Set<string>();
  state: ExecutionState = "created";
  input: unknown;
  output: unknown;
  /** The execution that runs this one as a subworkflow. */
  parentId: string | undefined;
  /** The queue it was started on, if any: its end frees a slot there. */
  queue: string | undefined;
  /** Set when the run must stop for good: a conflict, a store failure, non-determinism. */
  halted: unknown;
  /** Secret values resolved in this run: redacted from every event it records. */
  readonly secrets: string[] = [];
  /** For strict replay: the recorded steps the code called. */
  readonly visited: Set<string> | undefined;
  /** A resume to forward to the paused subworkflow with this id, when the replay reaches its call. */
  forward: { readonly childId: string; readonly value: unknown } | undefined;
  /** Set by the engine's close: calls outside a running task's body start nothing more. */
  stopping = false;
  readonly #stop = new AbortController();
  readonly #cancel = new AbortController();
  readonly #abortOnCancel: (error: CancelledError) => void;
  /** The inbox events this run's waits took (so that two waits never take one). */
  readonly takenEvents = new Set<number>();
  /** Set once the run recorded its end (or was cancelled): nothing more is recorded. */
  #final = false;
  readonly #outbox: Outbox;
  #guarded: { readonly commit: Promise<void>; readonly flushed: Promise<void> } | undefined;
  /** What the run has in flight and what its blocked calls wait on. */
  readonly inFlight = new InFlight(() => this.#idle());
  #deferred: DeferredResume | undefined;
  /** The last values this run sent to the blob store (at most 4): the same value again reuses its blob. */
  #recentBlobs: readonly PlacedBlob[] = [];
  #recordedInRun = false;
  #startedPaused = false;
  #ended = false;
  #settle?: { resolve: (outcome: RunOutcome) => void; reject: (error: unknown) => void };

  constructor(
    readonly runtime: EngineRuntime,
    readonly id: string,
    readonly workflowName: string,
    /** Keep every value of the log in memory (an execution loaded for inspection), not only the small ones. */
    keepValues = false,
  ) {
    this.log = new EventLog(id, keepValues ? Infinity : runtime.releaseValuesOver);
    this.index = new StepIndex(this.log, !runtime.strictReplay);
    this.visited = runtime.strictReplay ? new Set() : undefined;
    this.#outbox = new Outbox(runtime.queue, id);
    // The signals abort in a continuation registered here, where the run runs, not directly
    // where the cancel is called: workerd refuses a request's abort of a signal another request
    // made ("Cannot perform I/O on behalf of a different request"), and a cancel sent in one
    // request must still stop a run that another request of the same isolate holds.
    let abort: (error: CancelledError) => void = () => {};
    void new Promise<CancelledError>((resolve) => (abort = resolve)).then((error) => {
      this.#cancel.abort(error);
      this.#stop.abort(new StoppedSignal());
    });
    this.#abortOnCancel = abort;
  }

  /** The value `blob` refers to (a value of this execution's log kept in the blob store), fetched. */
  readonly fetchBlob = (blob: StoredBlob): Promise<unknown> => this.runtime.values.fetch(blob, `a value of execution ${this.id} (${this.workflowName})`);

  /**
   * Fetches the input and the output when the log keeps them in the blob store (a loaded
   * execution's, before its run or its inspection uses them).
   */
  async fetchValues(): Promise<void> {
    if (this.input instanceof StoredBlob) this.input = await this.fetchBlob(this.input);
    if (this.output instanceof StoredBlob) this.output = await this.fetchBlob(this.output);
  }

  /** Every event so far, in order, decoded when read (see `EventLog`). */
  get events(): readonly ExecutionEvent[] {
    return this.log.view;
  }

  /**
   * Adds recorded events (the next page of the log, in order) to what this execution knows:
   * indexed, their state followed, in one pass; values stay encoded (decoded only where the
   * index needs them). Only while loading, before `start`.
   */
  ingest(stored: readonly StoredEvent[]): void {
    for (const event of stored) {
      const { sourceId, name, value: text, time } = event;
      this.#apply(storedType(this.id, event), sourceId, name, text, time, event.id);
    }
    this.#outbox.committed = this.log.length;
  }

  /** How many events are committed (or on their way to the store). */
  get committedCount(): number {
    return this.#outbox.committed;
  }

  /** True once the run ended (finished, suspended, stopped or halted): later durable calls record nothing. */
  get ended(): boolean {
    return this.#ended || this.halted !== undefined;
  }

  /** What the run's suspended calls wait on, in step order (what it suspended on, once it did). */
  get waits(): Wait[] {
    return inStepOrder(this.inFlight.waits.values());
  }

  /** True when this run recorded (or will record) an event: false for a replay that found nothing to do. */
  get recordedInRun(): boolean {
    return this.#recordedInRun;
  }

  /** Aborts when the engine's close gives up waiting (a held sleep or a retry delay then stops at once). */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Aborts when the execution is cancelled: running task attempts' signals abort with it. */
  get cancelSignal(): AbortSignal {
    return this.#cancel.signal;
  }

  /** The inbox event `seq` is consumed by the events recorded now: the next commit says so, atomically with them. */
  consume(seq: number): void {
    this.#outbox.consume(seq);
  }

  /**
   * Records the resume of this run. A resume that answers a pause is recorded now (commit it
   * before running: the value is durable before anything runs past the pause). Any other (a wake,
   * a resume forwarded to a child) is recorded before the first other event the run records, so
   * a replay that finds nothing to do, or diverges first, records nothing.
   */
  resumeWith(events: DeferredResume["events"], answersPause: boolean): void {
    this.#deferred = { events, answersPause };
    if (answersPause) this.#recordDeferred();
  }

  /**
   * Records an event (not yet durable: see {@link flush}), its value redacted of this run's
   * secrets. Throws `SerializationError` when `value` cannot be recorded; nothing is recorded then.
   */
  emit(type: ExecutionEventType, sourceId: string, name: string, value: unknown, storage?: ValuePlacement): ExecutionEvent {
    // After the run's end (a cancellation), a step still running records nothing.
    if (this.#final) return { id: -1, type, sourceId, name, value, time: this.runtime.clock.now() };
    if (this.#deferred !== undefined) this.#recordDeferred();
    const redact = this.secrets.length > 0 ? this.secrets : undefined;
    const what = describeValue(type, name);
    const encoded = encodeValue(value, what, redact);
    // Over the engine's threshold, the value goes to the blob store and the log records where.
    const placed = this.runtime.values.place(encoded, what, storage, this.#recentBlobs);
    if (placed?.placed !== undefined) this.#recentBlobs = [placed.placed, ...this.#recentBlobs.slice(0, 3)];
    const text = placed?.ref ?? encoded;
    const time = this.runtime.clock.now();
    const id = this.#outbox.nextId;
    this.#outbox.add({ id, type, sourceId, name, value: text, time }, placed?.put);
    this.#recordedInRun = true;
    const event: ExecutionEvent = { id, type, sourceId, name, value: redact === undefined ? value : decodeValue(encoded), time };
    this.#apply(type, sourceId, name, text, time, id, event);
    if (this.runtime.listening) this.runtime.notify({ kind: "event", executionId: this.id, event });
    return event;
  }

  /**
   * Makes every recorded event durable. Resolves once they are; never settles if the commit
   * fails (the run is halted and rejects with the store's error instead), so no workflow code
   * runs past a step whose record was lost.
   */
  flush(suspend?: Suspension): Promise<void> {
    const commit = this.commit(suspend);
    if (this.#guarded?.commit !== commit) {
      // One guard per commit, shared by every step that joined it (a map's thousands).
      this.#guarded = {
        commit,
        flushed: commit.then(undefined, (error: unknown) => {
          if (error instanceof CancelRequestedError) void this.#cancelledInStore();
          else this.halt(error);
          return never<void>();
        }),
      };
    }
    return this.#guarded.flushed;
  }

  /**
   * Like {@link flush}, but rejects with the store's error (for commits made before the workflow
   * runs). Every commit carries this runner's lease: the first one of an execution takes it, the
   * others are refused if another runner holds it. `suspend` goes with a suspending commit.
   */
  commit(suspend?: Suspension): Promise<void> {
    if (this.halted !== undefined) return Promise.reject(this.halted);
    return this.#outbox.send((expectedSeq) => {
      const { owner, leaseTtl, clock } = this.runtime;
      const now = clock.now();
      return expectedSeq === 0 ? { owner, now, expiresAt: now + leaseTtl } : { owner, now };
    }, suspend, this.parentId);
  }

  /** Runs `body` (the workflow) until it finishes or suspends. Resolves with how it ended. */
  start(body: () => Promise<unknown>): Promise<RunOutcome> {
    this.#startedPaused = this.state === "paused" && !this.#recordedInRun;
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
    this.#stop.abort(error);
    this.#settle?.reject(error);
  }

  /**
   * Cancels the run (`engine.cancel`, or its runner learnt of a cancellation asked elsewhere):
   * running task attempts' signals abort, held sleeps stop, no further call starts, and the run
   * ends now, recording `WORKFLOW_CANCELLED` with a `CancelledError` carrying `reason`. What a
   * running step does afterwards is not recorded; no rollback runs (as documented).
   */
  cancel(reason?: string): void {
    if (this.ended || this.#final) return;
    const error = new CancelledError(`execution ${this.id} was cancelled${reason === undefined ? "" : `: ${reason}`}`, reason === undefined ? {} : { reason });
    this.#deferred = undefined;
    this.emit(T.WORKFLOW_CANCELLED, this.id, this.workflowName, error);
    this.#final = true;
    this.#end("finished", this.flush());
    this.#abortOnCancel(error);
  }

  /**
   * A commit was refused because a cancellation was asked for elsewhere: what it carried is not
   * in the log, so this run's view of the log is set back to the store's, then it is cancelled.
   */
  async #cancelledInStore(): Promise<void> {
    if (this.#final || this.ended) return;
    this.#final = true; // nothing more is recorded until the cancellation is
    try {
      const summary = await this.runtime.store.get(this.id);
      if (summary === undefined) throw new StoreError(`execution ${this.id} vanished from the store while it ran`);
      this.#outbox.reset(summary.events);
      this.log.truncate(summary.events);
      this.#final = false;
      this.cancel(summary.cancel?.reason);
    } catch (error) {
      this.halt(error);
    }
  }

  /** Halts with a `NonDeterminismError` and returns a promise that never settles. */
  diverged(message: string): Promise<never> {
    this.halt(new NonDeterminismError(`${message} Check that workflow "${this.workflowName}" is deterministic, or finish old executions on the old code (execution ${this.id}).`));
    return never();
  }

  /**
   * The engine's close: calls outside running tasks start nothing more (they never settle), held
   * sleeps and retry delays stop at once, and the run ends ("stopped") once nothing is in flight.
   */
  stop(): void {
    this.stopping = true;
    this.#stop.abort(new StoppedSignal());
    this.inFlight.check();
  }

  /** The suspension check: nothing is in flight any more (see `InFlight`). */
  #idle(): void {
    if (this.ended) return;
    const { waits } = this.inFlight;
    if (this.inFlight.abandoned || (this.stopping && waits.size === 0)) return this.#end("stopped", this.commit());
    if (waits.size === 0 || this.#unconsumed()) return;
    const ordered = inStepOrder(waits.values());
    // A paused execution woken for nothing (no wait came true after all) stays as recorded.
    if (!this.#recordedInRun && this.#startedPaused) return this.#end("paused", Promise.resolve());
    this.emit(T.WORKFLOW_PAUSED, this.id, this.workflowName, suspensionName(ordered));
    const wakeAt = earliestTimer(ordered);
    this.#end("paused", this.flush(wakeAt === undefined ? { waits: ordered } : { waits: ordered, wakeAt }));
  }

  #end(outcome: RunOutcome, committed: Promise<void>): void {
    this.#ended = true;
    if (outcome === "finished") this.#final = true;
    committed.then(() => this.#settle?.resolve(outcome), (error: unknown) => this.halt(error));
  }

  #finish(type: typeof T.WORKFLOW_COMPLETED | typeof T.WORKFLOW_FAILED, value: unknown): void {
    if (this.ended || this.#unconsumed()) return;
    try {
      if (type === T.WORKFLOW_FAILED) this.emit(type, this.id, this.workflowName, asExecutionError(this.workflowName, value));
      else this.emit(type, this.id, this.workflowName, value, "engine");
    } catch (error) {
      if (!(error instanceof SerializationError)) return this.halt(error);
      const Failure = error instanceof ValueTooLargeError ? ValueTooLargeError : SerializationError;
      const failure = new Failure(`workflow "${this.workflowName}" returned a value that cannot be recorded: ${error.message}`, { cause: error });
      this.emit(T.WORKFLOW_FAILED, this.id, this.workflowName, asExecutionError(this.workflowName, failure));
    }
    this.#end("finished", this.flush());
  }

  /** In strict replay, true when the run ended without calling a recorded step it should have: it then halts naming it. */
  #unconsumed(): boolean {
    const missed = this.visited === undefined ? undefined : uncalledStep(this.index, this.visited);
    if (missed === undefined) return false;
    void this.diverged(`During replay of execution ${this.id}, the code ended without calling step ${missed.stepId} (${describeStep(missed.kind, missed.name, missed.detail)}), which the history recorded.`);
    return true;
  }

  #recordDeferred(): void {
    const deferred = this.#deferred;
    this.#deferred = undefined;
    for (const [type, sourceId, name, value] of deferred?.events ?? []) this.emit(type, sourceId, name, value, "engine");
  }

  #apply(type: ExecutionEventType, sourceId: string, name: string, text: string, time: number, id: number, decoded?: ExecutionEvent): void {
    if (!type.startsWith("WORKFLOW_")) {
      if (!this.index.has(sourceId)) this.#noteScopes(sourceId);
      applyToIndex(this.index, type, sourceId, name, text, time, id, decoded);
      this.log.push(type, sourceId, name, text, time);
      if (type === T.TASK_COMPLETED || type === T.TASK_FAILED) this.index.finished(sourceId, id);
      return;
    }
    this.log.push(type, this.id, name, text, time);
    this.state = stateAfter(this.state, [type]);
    const value = (): unknown => (decoded === undefined ? decodeRecorded(this.id, id, text) : decoded.value);
    if (type === T.WORKFLOW_STARTED) this.input = value();
    if (isTerminal(this.state)) this.output = value();
  }

  #noteScopes(stepId: string): void {
    for (let dot = stepId.lastIndexOf("."); dot > 0; dot = stepId.lastIndexOf(".", dot - 1)) {
      const scope = stepId.slice(0, dot);
      if (this.scopes.has(scope)) return;
      this.scopes.add(scope);
    }
  }
}

