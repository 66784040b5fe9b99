import { BackgroundWork } from "./background-work.js";
import { ValueStorage, type OutputStorage } from "./blobs/value-storage.js";
import { systemClock, type Clock } from "./clock.js";
import { CommitQueue } from "./commit-queue.js";
import { Dispatcher } from "./dispatcher.js";
import type { ScheduleDefinition } from "./schedule-definition.js";
import { Scheduler, type ScheduleStatus } from "./scheduler.js";
import { engineRuntime, type EngineNotice } from "./engine-runtime.js";
import { ExecutionNotFoundError, UsageError } from "./errors.js";
import { stopRuns } from "./shutdown.js";
import type { WorkflowExecutionContext } from "./execution-context.js";
import { ExecutionRunner } from "./execution-runner.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { MemoryStore } from "./memory-store.js";
import { QueueAdmitter } from "./queue-admitter.js";
import { randomUUID } from "./random-uuid.js";
import { recoverStale, type RecoverReport } from "./recover.js";
import { cancelExecution, type CancelResult } from "./cancellation.js";
import { encodeValue } from "./serialization.js";
import { noSecrets, type SecretProvider } from "./secrets.js";
import type { ExecutionPage, InboxEvent, ListOptions, StateStore } from "./state-store.js";
import { validateExecutionId, WorkflowRegistry } from "./workflow-registry.js";
import type { Workflow } from "./workflow.js";

import type { CloseOptions, EngineOptions, RunOptions } from "./engine-options.js";

export type { EngineNotice } from "./engine-runtime.js";
export type { CloseOptions, EngineOptions, RunOptions } from "./engine-options.js";
export type { DispatcherOptions } from "./dispatcher.js";
export type { RecoverReport } from "./recover.js";
export type { CancelResult } from "./cancellation.js";
export type { ScheduleStatus } from "./scheduler.js";

type AnyWorkflow = Workflow<unknown, unknown>;

/**
 * Runs workflows on a store. Any number of executions may run interleaved on one engine; each
 * step's result is durable in the store before the workflow sees it, and steps that finish in
 * the same turn share one commit. An execution has one owner at a time: its runner's lease is
 * taken with its first commit (or before anything of it is read, for an existing one), so two
 * engines (or processes) never both run its steps; the second gets `ConflictError`.
 *
 * @example
 * const engine = new Engine({ store: new MemoryStore() });
 * const ctx = await engine.run(helloWorld, "World");
 */
export class Engine {
  readonly store: StateStore;
  readonly secrets: SecretProvider;
  readonly clock: Clock;
  /** Where this engine keeps values too large for its log (`EngineOptions.outputStorage`), if anywhere. */
  readonly outputStorage: OutputStorage | undefined;
  readonly #listeners = new Set<(notice: EngineNotice) => void>();
  readonly #workflows = new WorkflowRegistry();
  readonly #leases: LeaseKeeper;
  readonly #runner: ExecutionRunner;
  readonly #dispatcher: Dispatcher;
  readonly #scheduler: Scheduler;
  readonly #queues: QueueAdmitter;
  readonly #background = new BackgroundWork();
  readonly #lookAt: (executionId: string) => void;
  #closed: Promise<void> | undefined;

  constructor(options: EngineOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.secrets = options.secrets ?? noSecrets;
    this.clock = options.clock ?? systemClock;
    this.outputStorage = options.outputStorage;
    const listeners = this.#listeners;
    const leaseTtl = options.leaseTtl ?? 30_000;
    this.#leases = new LeaseKeeper(this.store, this.clock, options.runnerId ?? `runner-${randomUUID()}`, leaseTtl);
    let runner: ExecutionRunner | undefined;
    const runtime = engineRuntime({
      clock: this.clock, store: this.store, secrets: this.secrets, queue: new CommitQueue(this.store),
      holdSleepsUpTo: options.holdSleepsUpTo ?? Number.POSITIVE_INFINITY, strictReplay: options.strictReplay ?? false,
      releaseValuesOver: options.releaseValuesOver ?? Number.POSITIVE_INFINITY,
      values: new ValueStorage(options.outputStorage, options.valueLimit),
      owner: this.#leases.owner, leaseTtl,
    }, () => runner!, listeners);
    const lookAt = options.wakeOnItsOwn === false ? () => undefined : (id: string) => this.#dispatcher.kick(id);
    this.#lookAt = lookAt;
    runner = new ExecutionRunner(runtime, this.#leases, this.#workflows, lookAt, (queue) => void this.#queues.kick(queue), this.#background);
    this.#runner = runner;
    const onDispatchError = options.onDispatchError ?? ((error, id) => console.error(`flux: waking execution ${id} failed:`, error));
    this.#queues = new QueueAdmitter({
      store: this.store,
      clock: this.clock,
      background: this.#background,
      owner: this.#leases.owner,
      leaseTtl,
      workflowNames: () => this.#workflows.names(),
      run: (summary) => runner.existing(this.#workflows.get(summary.workflow), summary.executionId, { kind: "wake" }),
      runOf: (id) => runner.runs.get(id),
      inspect: (id) => runner.inspectChild(id),
      closing: () => runner.closing || this.#closed !== undefined,
      onError: onDispatchError,
    });
    for (const definition of options.queues ?? []) this.#queues.declare(definition);
    this.#dispatcher = new Dispatcher({
      store: this.store,
      clock: this.clock,
      background: this.#background,
      workflowNames: () => this.#workflows.names(),
      isRunning: (id) => this.#leases.isRunning(id),
      wake: (summary) => runner.wake(summary),
      fireSchedules: () => (this.#scheduler.size === 0 ? Promise.resolve() : this.#scheduler.fireDue()),
      nextFiring: () => this.#scheduler.nextFiring(),
      admitQueued: (name) => (name === undefined ? this.#queues.kickAll() : this.#queues.kick(name)),
      onError: onDispatchError,
    }, options.dispatcher);
    this.#scheduler = new Scheduler({
      store: this.store,
      clock: this.clock,
      start: async (workflow, input, executionId) => {
        this.#workflows.adopt(workflow);
        const { result } = await runner.startNew(workflow, input, executionId, { commitStart: true });
        await result.catch(() => undefined); // its failure is the execution's; the scheduler's job was the start
      },
    });
    for (const workflow of options.workflows ?? []) this.register(workflow);
    for (const definition of options.schedules ?? []) this.schedule(definition);
  }

  /**
   * Registers a schedule (made by `schedule()` of `flux-ts/schedules`): the dispatcher
   * (`startDispatcher`, `wakeDue`) fires it; each firing starts its workflow as the execution
   * `<name>:<ISO time>`, once whatever the number of runners. Its workflow is registered too.
   */
  schedule(definition: ScheduleDefinition): this {
    this.#workflows.add([definition.workflow]);
    this.#scheduler.add(definition);
    return this;
  }

  /** The registered schedules, with their next firing time. */
  get schedules(): ScheduleStatus[] {
    return this.#scheduler.status();
  }

  /** This engine's identity in leases. */
  get runnerId(): string {
    return this.#leases.owner;
  }

  /** Makes workflows findable by name (`workflow(name)`, the CLI, the HTTP API, wakes); a second, different workflow under a known name is a `UsageError`. */
  register(...workflows: AnyWorkflow[]): this {
    for (const workflow of workflows) if (workflow.queue !== undefined) this.#queues.declare(workflow.queue);
    this.#workflows.add(workflows);
    return this;
  }

  /** The registered workflows, in registration order. */
  get workflows(): readonly AnyWorkflow[] {
    return this.#workflows.all();
  }

  /** The registered workflow named `name`; `WorkflowNotFoundError` listing the known names otherwise. */
  workflow(name: string): AnyWorkflow {
    return this.#workflows.get(name);
  }

  /**
   * Starts an execution of `workflow`, or runs again the one given by `options.executionId`, and
   * resolves when it finishes or suspends (a start on a queue: see {@link start}). Run again, a paused execution resumes its own first
   * pending pause (which returns `undefined`) or moves on if a timer or subworkflow it waits on
   * came true, and otherwise stays as it is; it never resumes a subworkflow's pause. A finished
   * one resolves at once as it ended. Rejects (recording nothing more) on a store failure, a
   * `ConflictError` (another runner has it), a `NonDeterminismError`, or a `ShuttingDownError`.
   */
  async run<I, O>(workflow: Workflow<I, O>, input: I, options: RunOptions = {}): Promise<WorkflowExecutionContext<I, O>> {
    const id = options.executionId;
    if (id !== undefined) validateExecutionId(id);
    const queued = this.#queues.queueOf(workflow as AnyWorkflow, options.queue);
    const existing = id === undefined ? undefined : await this.store.get(id);
    if (existing?.state === "queued" && existing.cancel === undefined) return this.#queues.started(id!).result as Promise<WorkflowExecutionContext<I, O>>;
    if (existing !== undefined) {
      return this.#runner.existing(workflow as AnyWorkflow, id!, { kind: "run" }) as Promise<WorkflowExecutionContext<I, O>>;
    }
    if (queued !== undefined) {
      return this.#queues.started(await this.#runner.startQueued(workflow as AnyWorkflow, input, id, queued), queued).result as Promise<WorkflowExecutionContext<I, O>>;
    }
    // A new random id cannot be known to anyone else: its start is committed with its first step.
    const { result } = await this.#runner.startNew(workflow as AnyWorkflow, input, id, { commitStart: id !== undefined });
    return result as Promise<WorkflowExecutionContext<I, O>>;
  }

  /**
   * Starts an execution and resolves as soon as its start is durable (its runner's lease with
   * it), without waiting for it to run; `result` settles as `run` would. For starts that a caller
   * answers before the work is done (HTTP `?wait=false`). Given the id of an execution that
   * exists, it is run again like `run` does.
   *
   * On a queue (the workflow's, or `options.queue`), the start is recorded in state `queued` and
   * `queued` is true: it runs once its queue admits it, here or on another runner of the store
   * (this engine asks at once, and again as slots free); `result` then settles when it pauses or
   * ends, wherever it ran. A queued start needs a store with `admit` (`UsageError` otherwise).
   * Running again the id of an execution still queued waits for it the same way.
   *
   * @example
   * const { executionId, result } = await engine.start(helloWorld, "World");
   */
  async start<I, O>(workflow: Workflow<I, O>, input: I, options: RunOptions = {}): Promise<{ executionId: string; result: Promise<WorkflowExecutionContext<I, O>>; queued?: true }> {
    const id = options.executionId;
    if (id !== undefined) validateExecutionId(id);
    const queued = this.#queues.queueOf(workflow as AnyWorkflow, options.queue);
    const existing = id === undefined ? undefined : await this.store.get(id);
    if (existing?.state === "queued" && existing.cancel === undefined) return this.#queues.started(id!) as never;
    if (existing === undefined && queued !== undefined) {
      return this.#queues.started(await this.#runner.startQueued(workflow as AnyWorkflow, input, id, queued), queued) as never;
    }
    const started = existing !== undefined
      ? { executionId: id!, result: this.#runner.existing(workflow as AnyWorkflow, id!, { kind: "run" }) }
      : await this.#runner.startNew(workflow as AnyWorkflow, input, id, { commitStart: true });
    started.result.catch(() => undefined); // the caller may never look at it; an unobserved failure is not a crash
    this.#background.track(started.result); // an existing execution's run is in flight from its claim, before it runs
    return started as { executionId: string; result: Promise<WorkflowExecutionContext<I, O>> };
  }

  /**
   * Resumes the paused execution `executionId` with `value`: a resume answers the execution's
   * first pending pause, or, when it first waits on a paused subworkflow, that child's pending
   * pause (forwarded down the chain; the parent then carries on with the child's result). The
   * resume is recorded under the runner's lease before anything runs past the pause: of two
   * concurrent resumes one fails with `ConflictError` and runs nothing. A resume that finds no
   * pause to answer (the execution only sleeps, say) rejects with `NotResumableError` and
   * records nothing. A running execution whose runner died is recovered first (then resumed if
   * it paused); a finished one is returned as it ended.
   */
  resume<I, O>(workflow: Workflow<I, O>, executionId: string, value?: unknown): Promise<WorkflowExecutionContext<I, O>> {
    return this.#runner.existing(workflow as AnyWorkflow, executionId, { kind: "resume", value }) as Promise<WorkflowExecutionContext<I, O>>;
  }

  /** The execution as recorded (not run), or `undefined` when the store has no such id. */
  async inspect<I = unknown, O = unknown>(executionId: string): Promise<WorkflowExecutionContext<I, O> | undefined> {
    try {
      return await this.#runner.inspectChild<I, O>(executionId);
    } catch (error) {
      if (error instanceof ExecutionNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * One pass of the dispatcher: runs every execution of a registered workflow that is due now (a
   * durable sleep came due, a subworkflow it waits on finished, its runner's lease lapsed), found
   * with one indexed query, and resolves with how many it ran once they all ended or suspended.
   * Executions another runner holds are skipped. (A Worker's Cron Trigger calls this.)
   */
  wakeDue(): Promise<number> {
    if (this.#closed !== undefined) return Promise.resolve(0);
    return this.#dispatcher.runOnce();
  }

  /**
   * Starts the dispatcher: due executions are woken as they come due (see {@link wakeDue}), at most
   * `dispatcher.concurrency` (an engine option) at once, until {@link close}. `flux start` runs one.
   */
  startDispatcher(): this {
    this.#dispatcher.start();
    return this;
  }

  /**
   * Replays, to their end or next suspension, the executions left running by a runner that died:
   * those of registered workflows in state "running" whose lease lapsed (or that no runner ever
   * leased) and that made no progress for `staleAfter` ms (default: 0 for a lapsed lease, the
   * lease TTL for an execution with none, written by an earlier version or by hand). All of them are claimed before any is
   * replayed, so a parent whose children are recovered with it waits on them in memory and ends in
   * the same pass. Resolves with the ids recovered and skipped (with why).
   */
  recover(options: { staleAfter?: number } = {}): Promise<RecoverReport> {
    return recoverStale(this.#runner, this.#leases, this.#workflows, this.clock, options.staleAfter);
  }

  /**
   * Sends the event `name` with `payload` to the execution `executionId`: durable (in its inbox)
   * before this resolves, then taken by the execution's next `ctx.waitForEvent(name)`, in order,
   * one per wait; a suspended execution waiting on it is woken (due at once; run by this engine
   * at once when it can). Rejects with `ExecutionNotFoundError` for an unknown id,
   * `ExecutionFinishedError` for one that ended, `SerializationError` for a payload that cannot be
   * recorded. Resolves with the event as kept (`seq`: its place in the inbox).
   *
   * @example
   * await engine.sendEvent(orderId, "approval", { approved: true });
   */
  async sendEvent(executionId: string, name: string, payload?: unknown): Promise<InboxEvent> {
    validateExecutionId(executionId);
    if (typeof name !== "string" || name === "") throw new UsageError("sendEvent() needs a non-empty event name");
    const text = encodeValue(payload, `the payload of event "${name}"`);
    const event = await this.store.deliver(executionId, { name, payload: text, time: this.clock.now() });
    if (this.#closed === undefined) this.#lookAt(executionId);
    return event;
  }

  /**
   * Cancels the execution `executionId`: durably asked for first; a run of it on this engine stops
   * at once (its running task's `tc.signal` aborts; nothing it does afterwards is recorded), a
   * paused or sleeping one is cancelled at once, and one another live runner runs is cancelled by
   * that runner at its next commit or lease renewal. Its state becomes `cancelled` and its output
   * a `CancelledError` carrying `reason`; its unfinished subworkflows are cancelled too. No rollback
   * runs (a cancelled workflow stops where it is; see the README). Cancelling an execution that
   * ended is a no-op that says so (`cancelled: false`). Rejects with `ExecutionNotFoundError` for
   * an unknown id.
   */
  cancel(executionId: string, reason?: string): Promise<CancelResult> {
    return cancelExecution(this.#runner, executionId, reason);
  }

  /**
   * Resolves once this engine has no background work in flight: work that no caller awaits and
   * that would otherwise go on after the caller answered. That is the run of a {@link start}, an
   * execution woken by what this engine did (an event it delivered with {@link sendEvent}, a
   * child's end that makes its parent due, a cancellation), a queue's admission (a queued start,
   * a slot freed by an execution's end) and the runs it admits, and whatever those lead to in
   * turn (an event wakes a child, whose end wakes its parent): work started while it waits counts
   * too. It cannot wait on what does not run: a paused, sleeping or queued execution is
   * suspended, not in flight (its run ended when it suspended), and so are the dispatcher's
   * timers and poll ({@link startDispatcher}). A run that keeps going is in flight until it ends
   * or suspends (a long sleep suspends it; see `holdSleepsUpTo`). Never rejects: failures are the
   * executions' own, or reported to `onDispatchError`.
   *
   * What it is for: a Cloudflare Worker stops what a request left running once it answered,
   * unless that is handed to `ctx.waitUntil`. The HTTP router (`flux-ts/hono`) hands it this
   * after each POST when the request has an execution context; in Node nothing needs it (the
   * process runs on), but it lets a caller wait until the work it set off is done.
   *
   * @example
   * await engine.sendEvent(orderId, "approval", { approved: true });
   * ctx.waitUntil(engine.settled()); // the woken run, and the parent its end wakes, go on
   */
  settled(): Promise<void> {
    return this.#background.settled();
  }

  /** Summaries of the store's executions, newest first. */
  list(options?: ListOptions): Promise<ExecutionPage> {
    return this.store.list(options);
  }

  /** Calls `listener` with every event recorded and every progress report, from any execution. Returns the unsubscribe. */
  subscribe(listener: (notice: EngineNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Stops the engine gracefully, then closes the store: it takes no new work (runs, resumes and
   * wakes reject with `ShuttingDownError`), lets the steps that are running finish and commit
   * within `grace` ms (default 10 s; held sleeps and retry delays stop at once), suspends each
   * run there (its callers get `ShuttingDownError` naming it) and gives its lease up, so that
   * another runner, or this one restarted, carries it on at once with nothing run twice. Runs
   * still busy after the grace period are cut off the same way: their step runs again later
   * (at-least-once). Closing twice returns the first close.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closed ??= this.#shutDown(options.grace ?? 10_000);
    return this.#closed;
  }

  async #shutDown(grace: number): Promise<void> {
    this.#dispatcher.stop();
    this.#queues.stop();
    await stopRuns(this.#runner, grace);
    await this.store.close();
  }
}
