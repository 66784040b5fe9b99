import { ConflictError, ExecutionNotFoundError, NotResumableError, ShuttingDownError, UsageError } from "./errors.js";
import { ExecutionEventType as T, isTerminal } from "./events.js";
import { WorkflowExecutionContext } from "./execution-context.js";
import { Execution } from "./execution.js";
import type { BackgroundWork } from "./background-work.js";
import type { ChildRunner, EngineRuntime } from "./engine-runtime.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import { pendingWaits } from "./pending-waits.js";
import type { Queue } from "./queue.js";
import { randomUUID } from "./random-uuid.js";
import { encodeValue } from "./serialization.js";
import { readLog } from "./read-log.js";
import type { ExecutionSummary, InboxEvent, Wait } from "./state-store.js";
import { StepScope } from "./step-scope.js";
import { canMoveOn, resumeTarget, type WaitReader } from "./wait-status.js";
import { cancelChildren, recordCancellation } from "./cancellation.js";
import { describeWait } from "./waits.js";
import { validateExecutionId, type WorkflowRegistry } from "./workflow-registry.js";
import type { Workflow } from "./workflow.js";

type Context = WorkflowExecutionContext<unknown, unknown>;
type AnyWorkflow = Workflow<unknown, unknown>;

/** An existing execution reserved, leased and loaded, with its run decided (see `ExecutionRunner.prepare`). */
export interface Prepared {
  readonly workflow: AnyWorkflow;
  readonly exec: Execution;
  readonly intent: Intent;
  /** Its runner had died: it was running. */
  readonly recovering: boolean;
}

/**
 * Why an existing execution is run: the seeds' `run(executionId)` (resumes its own pause with no
 * value, or moves it on if a wait came true), a resume with a value (aimed at its first pending
 * pause, or forwarded to a paused subworkflow's), a wake (a wait came true: a timer, a child's
 * end) or a recovery (its runner died).
 */
export type Intent = { readonly kind: "run" } | { readonly kind: "resume"; readonly value: unknown } | { readonly kind: "wake" } | { readonly kind: "recover" };

/**
 * @internal How an engine runs executions: new ones, existing ones by intent, children for their
 * parents. It owns the one protocol of a run: reserve the id on this engine, take the lease
 * before reading anything (or with the first commit), replay, give the lease up when the run ends
 * without a commit that did, and, when a child ends, have its parent looked at.
 */
export class ExecutionRunner implements ChildRunner, WaitReader {
  readonly #runs = new Map<string, Promise<Context>>();
  /** Set once the engine is closing: no new run starts. */
  closing = false;

  constructor(
    readonly runtime: EngineRuntime,
    readonly leases: LeaseKeeper,
    readonly workflows: WorkflowRegistry,
    /** Asks the dispatcher to look at an execution that may be due now (a finished child's parent, a run that suspended on an answered wait). */
    readonly lookAt: (executionId: string) => void,
    /** Asks the queue named so to admit what it can: an execution of it ended here (its slot is free). */
    readonly freed: (queue: string) => void,
    /** Where every run is counted in flight until it ends or suspends (`Engine.settled`). */
    readonly background: BackgroundWork,
  ) {}

  /** The runs in progress, by execution id. */
  get runs(): ReadonlyMap<string, Promise<Context>> {
    return this.#runs;
  }

  /**
   * Starts a new execution (id random when not given). With `commitStart`, its start (and lease)
   * is committed before it runs and `started` resolves then; otherwise the start is committed
   * with its first step, and `started` resolves at once.
   */
  async startNew(workflow: AnyWorkflow, input: unknown, id: string | undefined, options: { parentId?: string; commitStart: boolean }): Promise<{ executionId: string; result: Promise<Context> }> {
    this.#assertOpen(id);
    const executionId = id ?? randomUUID();
    this.leases.reserve(executionId);
    this.workflows.adopt(workflow);
    const exec = new Execution(this.runtime, executionId, workflow.name);
    exec.parentId = options.parentId;
    try {
      exec.emit(T.WORKFLOW_STARTED, executionId, workflow.name, input, "engine");
      if (options.commitStart) await exec.commit();
    } catch (error) {
      // The start may have landed (with its lease) before the store failed: give the lease up.
      await this.leases.release(executionId, options.commitStart);
      throw error;
    }
    return { executionId, result: this.#drive(workflow, exec) };
  }

  /**
   * Records the start of a new execution in `queue` (id random when not given): its
   * `WORKFLOW_STARTED`, committed with the queue's name and no lease, so the store keeps it
   * `queued` until `StateStore.admit` admits it. Nothing runs here; resolves with its id once
   * the start is durable. `ConflictError` when the id is taken.
   */
  async startQueued(workflow: AnyWorkflow, input: unknown, id: string | undefined, queue: Queue): Promise<string> {
    this.#assertOpen(id);
    const executionId = id ?? randomUUID();
    this.workflows.adopt(workflow);
    const value = encodeValue(input, `the input of workflow "${workflow.name}"`);
    const event = { id: 0, type: T.WORKFLOW_STARTED, sourceId: executionId, name: workflow.name, value, time: this.runtime.clock.now() };
    await this.runtime.store.commit(executionId, [event], { expectedSeq: 0, queue: queue.name });
    return executionId;
  }

  /** Runs the existing execution `executionId` for `intent`; see {@link Intent}. */
  async existing(workflow: AnyWorkflow, executionId: string, intent: Intent): Promise<Context> {
    const prepared = await this.prepare(workflow, executionId, intent);
    return prepared instanceof WorkflowExecutionContext ? prepared : this.run(prepared);
  }

  /**
   * The first half of {@link existing}: reserves the execution on this engine, claims its lease,
   * loads it and decides what its run does. Resolves with the context when there is nothing to
   * run (it finished, or no wait of it came true), else with what {@link run} runs.
   */
  async prepare(workflow: AnyWorkflow, executionId: string, intent: Intent): Promise<Context | Prepared> {
    validateExecutionId(executionId);
    this.#assertOpen(executionId);
    this.leases.reserve(executionId);
    this.workflows.adopt(workflow);
    let claimed = false;
    try {
      const summary = await this.summary(executionId);
      if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the store: check the id (flux list shows them)`);
      if (summary.workflow !== workflow.name) {
        throw new UsageError(`execution ${executionId} belongs to workflow "${summary.workflow}", not "${workflow.name}"`);
      }
      if (summary.state === "queued" && summary.cancel === undefined) {
        throw new NotResumableError(`execution ${executionId} waits in queue "${summary.queue ?? "?"}": it runs once the queue admits it (a runner with the dispatcher admits it)`);
      }
      if (isTerminal(summary.state) || summary.cancel !== undefined) {
        await this.leases.release(executionId, false);
        // A cancellation asked for and not yet recorded (its canceller stopped): record it now.
        if (summary.cancel !== undefined) await recordCancellation(this, executionId, summary.cancel.reason);
        return await this.inspectChild(executionId);
      }
      const cancel = await this.leases.claim(executionId);
      claimed = true;
      if (cancel !== undefined) {
        // Asked for after the summary was read, before the claim: recorded instead of running.
        await this.leases.release(executionId, true);
        claimed = false;
        await recordCancellation(this, executionId, cancel.reason);
        return await this.inspectChild(executionId);
      }
      const exec = await this.#load(executionId);
      exec.parentId = summary.parentId;
      exec.queue = summary.queue;
      const recovering = exec.state === "running";
      if (await this.#plan(exec, intent)) return { workflow, exec, intent, recovering };
      await this.leases.release(executionId, true);
      return new WorkflowExecutionContext(exec, new StepScope(""));
    } catch (error) {
      if (this.leases.isRunning(executionId) && !this.#runs.has(executionId)) await this.leases.release(executionId, claimed);
      throw error;
    }
  }

  /** The second half of {@link existing}: runs a prepared execution to its end or next suspension. */
  async run(prepared: Prepared): Promise<Context> {
    const { workflow, exec, intent } = prepared;
    const context = await this.#drive(workflow, exec);
    if (intent.kind !== "resume") return context;
    // A resume of an execution whose runner died: recovered first, then resumed if it paused.
    if (prepared.recovering && context.paused) return this.existing(workflow, exec.id, intent);
    if (exec.forward !== undefined) {
      throw new NotResumableError(`execution ${exec.id} waits on subworkflow ${exec.forward.childId}, but its replay did not reach that call: its code changed (see flux check); nothing was resumed`);
    }
    return context;
  }

  /** A due execution found by the dispatcher: run it if there is something to do. */
  async wake(summary: ExecutionSummary): Promise<boolean> {
    const workflow = this.workflows.find(summary.workflow);
    if (workflow === undefined || this.leases.isRunning(summary.executionId) || this.closing) return false;
    try {
      if (summary.cancel !== undefined) return (await recordCancellation(this, summary.executionId, summary.cancel.reason)) !== undefined;
      const context = await this.existing(workflow, summary.executionId, { kind: summary.state === "running" ? "recover" : "wake" });
      return context.state !== summary.state || context.events.length > summary.events;
    } catch (error) {
      if (error instanceof ConflictError || error instanceof ShuttingDownError) return false;
      throw error;
    }
  }

  /** The execution as recorded, page by page; `undefined` when the store has no such id. */
  async load(executionId: string, keepValues = false): Promise<Execution | undefined> {
    let exec: Execution | undefined;
    await readLog(this.runtime.store, executionId, (page) => {
      exec ??= new Execution(this.runtime, executionId, page[0]!.name, keepValues);
      exec.ingest(page);
    });
    await exec?.fetchValues();
    return exec;
  }

  // --- ChildRunner and WaitReader ---

  summary(executionId: string): Promise<ExecutionSummary | undefined> {
    return this.runtime.store.get(executionId);
  }

  pendingEvents(executionId: string): Promise<InboxEvent[]> {
    return this.runtime.store.pending(executionId);
  }

  childSummary(executionId: string): Promise<ExecutionSummary | undefined> {
    return this.summary(executionId);
  }

  async waitsOf(executionId: string): Promise<readonly Wait[]> {
    const summary = await this.summary(executionId);
    if (summary?.waits !== undefined) return summary.waits;
    const exec = await this.load(executionId);
    return exec === undefined ? [] : pendingWaits(exec);
  }

  async startChild<I, O>(workflow: Workflow<I, O>, input: I, executionId: string, parentId: string): Promise<WorkflowExecutionContext<I, O>> {
    const { result } = await this.startNew(workflow as AnyWorkflow, input, executionId, { parentId, commitStart: true });
    return (await result) as WorkflowExecutionContext<I, O>;
  }

  runningChild(executionId: string): Promise<Context> | undefined {
    return this.#runs.get(executionId);
  }

  resumeChild<I, O>(workflow: Workflow<I, O>, executionId: string, value: unknown): Promise<WorkflowExecutionContext<I, O>> {
    return this.existing(workflow as AnyWorkflow, executionId, { kind: "resume", value }) as Promise<WorkflowExecutionContext<I, O>>;
  }

  async inspectChild<I, O>(executionId: string): Promise<WorkflowExecutionContext<I, O>> {
    const exec = await this.load(executionId, true);
    if (exec === undefined) throw new ExecutionNotFoundError(`execution ${executionId} is missing from the store`);
    // Its log says running from its start; waiting in its queue, only its summary says queued.
    if (exec.state === "running" && exec.log.length === 1 && (await this.summary(executionId))?.state === "queued") exec.state = "queued";
    exec.halt(new UsageError(`execution ${executionId} was loaded for inspection: run it through its workflow`));
    return new WorkflowExecutionContext<I, O>(exec, new StepScope(""));
  }

  adopt(workflow: AnyWorkflow): void {
    this.workflows.adopt(workflow);
  }

  /**
   * Decides what the run of a loaded existing execution does, and prepares its resume; false
   * when there is nothing to do (the seeds' run of an execution whose waits are all unmet).
   */
  async #plan(exec: Execution, intent: Intent): Promise<boolean> {
    if (exec.state !== "paused") return true; // running: its runner died; replay it
    const waits = pendingWaits(exec);
    const resumed = (value: unknown) => [[T.WORKFLOW_RESUMED, exec.id, exec.workflowName, value]] as const;
    if (intent.kind === "resume") {
      const target = await resumeTarget(waits, this);
      if (target === undefined) {
        const what = waits.map(describeWait).join(", ") || "nothing";
        throw new NotResumableError(`execution ${exec.id} is not waiting for a resume: it waits on ${what}`);
      }
      if (target.kind === "pause") {
        exec.resumeWith([[T.TASK_RESUMED, target.stepId, target.name, intent.value], ...resumed(intent.value)], true);
        await exec.commit();
      } else {
        exec.forward = { childId: target.executionId, value: intent.value };
        exec.resumeWith(resumed(intent.value), false);
      }
      return true;
    }
    const pause = intent.kind === "run" ? waits.find((wait) => wait.kind === "pause") : undefined;
    if (pause?.kind === "pause") {
      exec.resumeWith([[T.TASK_RESUMED, pause.stepId, pause.name, undefined], ...resumed(undefined)], true);
      await exec.commit();
      return true;
    }
    if (!(await canMoveOn(exec.id, waits, this.runtime.clock.now(), this))) return false;
    exec.resumeWith(resumed(undefined), false);
    return true;
  }

  /** Runs `exec` (reserved, and leased or about to be by its first commit) to its end or next suspension. */
  #drive(workflow: AnyWorkflow, exec: Execution): Promise<Context> {
    const context = new WorkflowExecutionContext(exec, new StepScope(""));
    this.leases.hold(exec);
    if (this.closing) exec.stop(); // prepared while the engine began to close: it starts nothing
    const run = exec.start(async () => workflow.invoke(context)).then(
      async (outcome) => {
        // A suspension that recorded something, and an end, gave the lease up in their commit.
        await this.leases.release(exec.id, outcome === "stopped" || (outcome === "paused" && !exec.recordedInRun));
        if (outcome === "stopped") {
          throw new ShuttingDownError(`the engine is closing: execution ${exec.id} was suspended and carries on with the next runner`, { executionId: exec.id });
        }
        if (exec.state === "cancelled") await cancelChildren(this, exec, exec.id);
        if (outcome === "finished" && exec.parentId !== undefined) this.lookAt(exec.parentId);
        if (exec.queue !== undefined && isTerminal(exec.state)) this.freed(exec.queue);
        // A child's end or an event may have answered a wait as it suspended: the store made it due.
        if (outcome === "paused" && exec.waits.some((wait) => wait.kind === "child" || wait.kind === "event")) this.lookAt(exec.id);
        return context;
      },
      async (error: unknown) => {
        await this.leases.release(exec.id, true);
        throw error;
      },
    ).finally(() => this.#runs.delete(exec.id));
    this.#runs.set(exec.id, run);
    return this.background.track(run);
  }

  #assertOpen(executionId: string | undefined): void {
    if (!this.closing) return;
    const which = executionId === undefined ? "" : ` (execution ${executionId})`;
    throw new ShuttingDownError(`the engine is closing and takes no new work${which}: retry on another runner, or after the restart`, executionId === undefined ? {} : { executionId });
  }

  async #load(executionId: string): Promise<Execution> {
    const exec = await this.load(executionId);
    if (exec === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the store: check the id (flux list shows them)`);
    return exec;
  }
}
