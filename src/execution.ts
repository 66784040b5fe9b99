import { ExecutionError, FluxError, NonDeterminismError, SerializationError, StoreError } from "./errors.js";
import { ExecutionEventType as T, isTerminal, stateAfter, type ExecutionEvent, type ExecutionEventType, type ExecutionState } from "./events.js";
import type { EngineRuntime } from "./engine-runtime.js";
import { applyToIndex, describeStep, type StepRecord } from "./replay-index.js";
import { nextMacrotask, never } from "./scheduling.js";
import { decodeValue, encodeValue } from "./serialization.js";
import type { StoredEvent, Suspension, Wait } from "./state-store.js";
import { earliestTimer, inStepOrder, suspensionName } from "./waits.js";

export type { EngineNotice, EngineRuntime } from "./engine-runtime.js";

/** How a run of an execution ended: it finished, suspended on its waits, or was stopped by the engine's close. */
export type RunOutcome = "finished" | "paused" | "stopped";

/** Events a resume records only once the run records something else (or its pause's value must be kept). */
interface DeferredResume {
  readonly events: readonly (readonly [ExecutionEventType, string, string, unknown])[];
  /** True when it answers a pause: recorded even if nothing else is, so the value is never lost. */
  readonly answersPause: boolean;
}

/**
 * @internal One execution in memory: its decoded log, its replay index, the events not yet
 * committed, what its suspended calls wait on, and the bookkeeping that tells when the workflow
 * is suspended. Nothing here is shared between executions, so any number can run interleaved in
 * one realm.
 */
export class Execution {
  readonly events: ExecutionEvent[] = [];
  readonly index = new Map<string, StepRecord>();
  /** Ids under which steps are recorded (`"2"` for `"2.1.1"`): a step id here without a record was a parallel group. */
  readonly scopes = new Set<string>();
  state: ExecutionState = "created";
  input: unknown;
  output: unknown;
  /** The execution that runs this one as a subworkflow. */
  parentId: string | undefined;
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
  #committed = 0;
  #pending: StoredEvent[] = [];
  #lastFlush: Promise<void> = Promise.resolve();
  #guarded: { readonly commit: Promise<void>; readonly flushed: Promise<void> } | undefined;
  #inFlight = 0;
  readonly #waits = new Map<string, Wait>();
  #deferred: DeferredResume | undefined;
  #recordedInRun = false;
  #abandoned = false;
  #startedPaused = false;
  #suspendCheck = false;
  #ended = false;
  #settle?: { resolve: (outcome: RunOutcome) => void; reject: (error: unknown) => void };

  constructor(
    readonly runtime: EngineRuntime,
    readonly id: string,
    readonly workflowName: string,
  ) {
    this.visited = runtime.strictReplay ? new Set() : undefined;
  }

  /**
   * Adds recorded events (the next page of the log, in order) to what this execution knows:
   * decoded, indexed, their state followed, in one pass. Only while loading, before `start`.
   */
  ingest(stored: readonly StoredEvent[]): void {
    for (const event of stored) this.#apply(decodeStored(this.id, event));
    this.#committed = this.events.length;
  }

  /** How many events are committed (or on their way to the store). */
  get committedCount(): number {
    return this.#committed;
  }

  /** True once the run ended (finished, suspended, stopped or halted): later durable calls record nothing. */
  get ended(): boolean {
    return this.#ended || this.halted !== undefined;
  }

  /** True when this run recorded (or will record) an event: false for a replay that found nothing to do. */
  get recordedInRun(): boolean {
    return this.#recordedInRun;
  }

  /** Aborts when the engine's close gives up waiting (a held sleep or a retry delay then stops at once). */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
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
  emit(type: ExecutionEventType, sourceId: string, name: string, value: unknown): ExecutionEvent {
    if (this.#deferred !== undefined) this.#recordDeferred();
    const redact = this.secrets.length > 0 ? this.secrets : undefined;
    const text = encodeValue(value, describe(type, name), redact);
    const time = this.runtime.clock.now();
    const id = this.#committed + this.#pending.length;
    this.#pending.push({ id, type, sourceId, name, value: text, time });
    this.#recordedInRun = true;
    const event: ExecutionEvent = { id, type, sourceId, name, value: redact === undefined ? value : decodeValue(text), time };
    this.#apply(event);
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
          this.halt(error);
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
    if (this.#pending.length > 0) {
      const events = this.#pending;
      this.#pending = [];
      const expectedSeq = this.#committed;
      this.#committed += events.length;
      const { owner, leaseTtl, clock } = this.runtime;
      const now = clock.now();
      this.#lastFlush = this.runtime.queue.commit({
        executionId: this.id,
        events,
        expectedSeq,
        lease: expectedSeq === 0 ? { owner, now, expiresAt: now + leaseTtl } : { owner, now },
        ...(suspend === undefined ? {} : { suspend }),
        ...(expectedSeq === 0 && this.parentId !== undefined ? { parentId: this.parentId } : {}),
      });
    }
    return this.#lastFlush;
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
    this.#maybeSuspend();
  }

  /** @internal counts a durable call in flight (a workflow with none left and a wait pending suspends). */
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
   * The call in flight at `stepId` waits on `wait` (a pause, a timer, a subworkflow): it is no
   * longer in flight, and it never returns in this run. The run suspends once nothing else is.
   */
  block(wait: Wait): Promise<never> {
    this.#waits.set(wait.stepId, wait);
    this.stepSettled();
    return never();
  }

  /**
   * The call in flight stopped for the engine's close with nothing to wait on (a retry delay, a
   * task cut off): it never returns in this run, which then ends "stopped", not suspended.
   */
  abandon(): Promise<never> {
    this.#abandoned = true;
    this.stepSettled();
    return never();
  }

  #maybeSuspend(): void {
    if (this.#inFlight > 0 || this.ended || this.#suspendCheck) return;
    if (this.#waits.size === 0 && !this.stopping) return;
    this.#suspendCheck = true;
    nextMacrotask(() => {
      this.#suspendCheck = false;
      if (this.#inFlight > 0 || this.ended) return;
      if (this.#abandoned || (this.stopping && this.#waits.size === 0)) return this.#end("stopped", this.commit());
      if (this.#waits.size === 0 || this.#unconsumed()) return;
      const waits = inStepOrder(this.#waits.values());
      // A paused execution woken for nothing (no wait came true after all) stays as recorded.
      if (!this.#recordedInRun && this.#startedPaused) return this.#end("paused", Promise.resolve());
      this.emit(T.WORKFLOW_PAUSED, this.id, this.workflowName, suspensionName(waits));
      const wakeAt = earliestTimer(waits);
      this.#end("paused", this.flush(wakeAt === undefined ? { waits } : { waits, wakeAt }));
    });
  }

  #end(outcome: RunOutcome, committed: Promise<void>): void {
    this.#ended = true;
    committed.then(() => this.#settle?.resolve(outcome), (error: unknown) => this.halt(error));
  }

  #finish(type: typeof T.WORKFLOW_COMPLETED | typeof T.WORKFLOW_FAILED, value: unknown): void {
    if (this.ended || this.#unconsumed()) return;
    try {
      this.emit(type, this.id, this.workflowName, type === T.WORKFLOW_FAILED ? asExecutionError(this.workflowName, value) : value);
    } catch (error) {
      if (!(error instanceof SerializationError)) return this.halt(error);
      const failure = new SerializationError(`workflow "${this.workflowName}" returned a value that cannot be recorded: ${error.message}`, { cause: error });
      this.emit(T.WORKFLOW_FAILED, this.id, this.workflowName, asExecutionError(this.workflowName, failure));
    }
    this.#end("finished", this.flush());
  }

  /**
   * In strict replay (verifying a history), true when the run ends without calling a recorded
   * step it should have (not one nested in a task the replay did not run): the run then halts
   * with `NonDeterminismError` naming it.
   */
  #unconsumed(): boolean {
    const visited = this.visited;
    if (visited === undefined) return false;
    for (const record of this.index.values()) {
      if (visited.has(record.stepId) || this.#insideFinishedStep(record.stepId)) continue;
      void this.diverged(`During replay of execution ${this.id}, the code ended without calling step ${record.stepId} (${describeStep(record.kind, record.name, record.detail)}), which the history recorded.`);
      return true;
    }
    return false;
  }

  #insideFinishedStep(stepId: string): boolean {
    for (let dot = stepId.lastIndexOf("."); dot > 0; dot = stepId.lastIndexOf(".", dot - 1)) {
      const owner = this.index.get(stepId.slice(0, dot).split("~")[0]!);
      if (owner !== undefined && owner.kind !== "parallel" && (owner.outcome !== undefined || !this.visited!.has(owner.stepId))) return true;
    }
    return false;
  }

  #recordDeferred(): void {
    const deferred = this.#deferred;
    this.#deferred = undefined;
    for (const [type, sourceId, name, value] of deferred?.events ?? []) this.emit(type, sourceId, name, value);
  }

  #apply(event: ExecutionEvent): void {
    this.events.push(event);
    if (!event.type.startsWith("WORKFLOW_")) {
      if (!this.index.has(event.sourceId)) this.#noteScopes(event.sourceId);
      applyToIndex(this.index, event);
      return;
    }
    this.state = stateAfter(this.state, [event.type]);
    if (event.type === T.WORKFLOW_STARTED) this.input = event.value;
    if (isTerminal(this.state)) this.output = event.value;
  }

  #noteScopes(stepId: string): void {
    for (let dot = stepId.lastIndexOf("."); dot > 0; dot = stepId.lastIndexOf(".", dot - 1)) {
      const scope = stepId.slice(0, dot);
      if (this.scopes.has(scope)) return;
      this.scopes.add(scope);
    }
  }
}

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
