import { systemClock, type Clock } from "./clock.js";
import { CommitQueue } from "./commit-queue.js";
import type { ChildRunner } from "./durable-steps.js";
import { ConflictError, ExecutionNotFoundError, UsageError } from "./errors.js";
import { ExecutionEventType as T, isTerminal } from "./events.js";
import { WorkflowExecutionContext } from "./execution-context.js";
import { Execution, type EngineNotice, type EngineRuntime } from "./execution.js";
import { MemoryStore } from "./memory-store.js";
import { noSecrets, type SecretProvider } from "./secrets.js";
import type { ExecutionPage, ListOptions, StateStore } from "./state-store.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { readLog } from "./read-log.js";
import { validateExecutionId, WorkflowRegistry } from "./workflow-registry.js";
import { StepScope } from "./step-scope.js";
import type { Workflow } from "./workflow.js";
import { randomUUID } from "./random-uuid.js";

import type { EngineOptions, RunOptions } from "./engine-options.js";

export type { EngineNotice } from "./execution.js";
export type { EngineOptions, RunOptions } from "./engine-options.js";

type AnyWorkflow = Workflow<unknown, unknown>;

/**
 * Runs workflows on a store. Any number of executions may run interleaved on one engine; each
 * step's result is durable in the store before the workflow sees it, and steps that finish in
 * the same turn share one commit. Two engines (or processes) on one execution cannot both
 * record: the second one's commit fails with `ConflictError` and its run rejects with it.
 *
 * @example
 * const engine = new Engine({ store: new MemoryStore() });
 * const ctx = await engine.run(helloWorld, "World");
 */
export class Engine implements ChildRunner {
  readonly store: StateStore;
  readonly secrets: SecretProvider;
  readonly clock: Clock;
  readonly #runtime: EngineRuntime;
  readonly #listeners = new Set<(notice: EngineNotice) => void>();
  readonly #workflows = new WorkflowRegistry();
  readonly #leases: LeaseKeeper;

  constructor(options: EngineOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.secrets = options.secrets ?? noSecrets;
    this.clock = options.clock ?? systemClock;
    const listeners = this.#listeners;
    this.#runtime = {
      clock: this.clock,
      store: this.store,
      secrets: this.secrets,
      queue: new CommitQueue(this.store),
      holdSleepsUpTo: options.holdSleepsUpTo ?? Number.POSITIVE_INFINITY,
      strictReplay: options.strictReplay ?? false,
      get listening() {
        return listeners.size > 0;
      },
      notify(notice) {
        for (const listener of listeners) {
          try {
            listener(notice);
          } catch {
            // A subscriber's failure must not break a run.
          }
        }
      },
    };
    for (const workflow of options.workflows ?? []) this.register(workflow);
    this.#leases = new LeaseKeeper(this.store, this.clock, options.runnerId ?? `runner-${randomUUID()}`, options.leaseTtl ?? 30_000);
  }

  /** This engine's identity in leases. */
  get runnerId(): string {
    return this.#leases.owner;
  }

  /** Makes workflows findable by name (`workflow(name)`, the CLI, the HTTP API); a second, different workflow under a known name is a `UsageError`. */
  register(...workflows: AnyWorkflow[]): this {
    this.#workflows.add(workflows);
    return this;
  }

  /** The registered workflows, in registration order. */
  get workflows(): readonly AnyWorkflow[] {
    return this.#workflows.all();
  }

  /** The registered workflow named `name`; `WorkflowNotFoundError` listing the known names otherwise. */
  workflow(name: string): Workflow<unknown, unknown> {
    return this.#workflows.get(name);
  }

  /**
   * Starts an execution of `workflow`, or replays the one given by `options.executionId`, and
   * resolves when it finishes or pauses. A paused execution run again resumes (its pause returns
   * `undefined`); a finished one resolves at once as it ended. Rejects (recording nothing more)
   * on a store failure, a `ConflictError`, or a `NonDeterminismError`.
   */
  async run<I, O>(workflow: Workflow<I, O>, input: I, options: RunOptions = {}): Promise<WorkflowExecutionContext<I, O>> {
    // A new random id cannot be known to anyone else: its start is committed with its first step.
    const exec = await this.#prepare(workflow, input, options.executionId, options.executionId !== undefined);
    return this.#continue(workflow, exec, { value: undefined });
  }

  /**
   * Starts an execution and resolves as soon as its start is durable, without waiting for it to
   * run; `result` settles as `run` would (when it finishes or pauses). For starts that a caller
   * answers before the work is done (HTTP `?wait=false`). Given the id of an execution that
   * exists, it is replayed like `run` does.
   *
   * @example
   * const { executionId, result } = await engine.start(helloWorld, "World");
   */
  async start<I, O>(workflow: Workflow<I, O>, input: I, options: RunOptions = {}): Promise<{ executionId: string; result: Promise<WorkflowExecutionContext<I, O>> }> {
    const exec = await this.#prepare(workflow, input, options.executionId, true);
    const result = this.#continue(workflow, exec, { value: undefined });
    result.catch(() => undefined); // the caller may never look at it; an unobserved failure is not a crash
    return { executionId: exec.id, result };
  }

  /**
   * Resumes the paused execution `executionId`: its first pending pause returns `value`, and the
   * workflow runs on until it finishes or pauses again. The resume is committed before any step
   * runs, so of two concurrent resumes one fails with `ConflictError` and runs nothing. A running
   * execution (its process died) is replayed; a finished one is returned as it ended.
   */
  async resume<I, O>(workflow: Workflow<I, O>, executionId: string, value?: unknown): Promise<WorkflowExecutionContext<I, O>> {
    validateExecutionId(executionId);
    const exec = await this.#load(executionId, workflow.name);
    if (exec === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the store: check the id (flux list shows them)`);
    return this.#continue(workflow, exec, { value });
  }

  /** The execution as recorded (not run), or `undefined` when the store has no such id. */
  async inspect<I = unknown, O = unknown>(executionId: string): Promise<WorkflowExecutionContext<I, O> | undefined> {
    const exec = await this.#load(executionId);
    if (exec === undefined) return undefined;
    exec.halt(new UsageError(`execution ${executionId} was loaded for inspection: run it through its workflow`));
    return new WorkflowExecutionContext<I, O>(exec, new StepScope(""), this);
  }

  /**
   * Runs again every paused execution of a registered workflow whose durable sleep is due
   * (its pauses stay pending). Resolves with how many were woken. Executions another runner
   * woke first are skipped.
   */
  async wakeDue(): Promise<number> {
    let woken = 0;
    let cursor: string | undefined;
    const now = this.clock.now();
    do {
      const page = await this.store.list({ state: "paused", limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      for (const summary of page.executions) {
        const workflow = this.#workflows.find(summary.workflow);
        if (workflow === undefined) continue;
        const exec = await this.#load(summary.executionId, workflow.name);
        if (exec === undefined) continue;
        const paused = [...exec.events].reverse().find((event) => event.type === T.WORKFLOW_PAUSED)?.value as { wakeAt?: unknown } | undefined;
        if (exec.state !== "paused" || typeof paused?.wakeAt !== "number" || paused.wakeAt > now) continue;
        try {
          await this.#continue(workflow, exec, undefined);
          woken += 1;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return woken;
  }

  /**
   * Finds executions left running by a runner that died and replays them to their end (or next
   * pause): those of registered workflows in state "running" that made no progress for
   * `staleAfter` ms (default: the lease TTL) and whose lease is free. An execution another live
   * runner holds is skipped. Resolves with the ids recovered and skipped (with why).
   */
  async recover(options: { staleAfter?: number } = {}): Promise<{ recovered: string[]; skipped: { executionId: string; reason: string }[] }> {
    const staleAfter = options.staleAfter ?? this.#leases.ttl;
    const recovered: string[] = [];
    const skipped: { executionId: string; reason: string }[] = [];
    const runs: Promise<void>[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ state: "running", limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      for (const summary of page.executions) {
        const { executionId } = summary;
        const workflow = this.#workflows.find(summary.workflow);
        if (this.#leases.isRunning(executionId)) {
          skipped.push({ executionId, reason: "this engine is running it" });
        } else if (workflow === undefined) {
          skipped.push({ executionId, reason: `workflow "${summary.workflow}" is not registered here` });
        } else if (summary.updatedAt > this.clock.now() - staleAfter) {
          skipped.push({ executionId, reason: "it made progress recently: its runner may be alive" });
        } else {
          runs.push(this.resume(workflow, executionId).then(
            () => void recovered.push(executionId),
            (error: unknown) => void skipped.push({ executionId, reason: error instanceof Error ? error.message : String(error) }),
          ));
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    await Promise.all(runs);
    return { recovered, skipped };
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

  /** Closes the store. */
  close(): Promise<void> {
    return this.store.close();
  }

  /** @internal */
  runChild<I, O>(workflow: Workflow<I, O>, input: I, executionId: string): Promise<WorkflowExecutionContext<I, O>> {
    return this.run(workflow, input, { executionId });
  }

  /** @internal */
  async inspectChild<I, O>(executionId: string): Promise<WorkflowExecutionContext<I, O>> {
    const child = await this.inspect<I, O>(executionId);
    if (child === undefined) throw new ExecutionNotFoundError(`the subworkflow execution ${executionId} is recorded by its parent but missing from the store`);
    return child;
  }

  /**
   * The execution to run: loaded when `executionId` is given and known, else new with its start
   * recorded (and committed before anything runs when `commitStart`).
   */
  async #prepare<I, O>(workflow: Workflow<I, O>, input: I, executionId: string | undefined, commitStart: boolean): Promise<Execution> {
    if (executionId !== undefined) validateExecutionId(executionId);
    const loaded = executionId === undefined ? undefined : await this.#load(executionId, workflow.name);
    if (loaded !== undefined) return loaded;
    const id = executionId ?? randomUUID();
    const exec = new Execution(this.#runtime, id, workflow.name);
    exec.emit(T.WORKFLOW_STARTED, id, workflow.name, input);
    if (commitStart) await exec.commit();
    return exec;
  }

  /** The execution as the store has it, read page by page; `undefined` when unknown. */
  async #load(executionId: string, workflowName?: string): Promise<Execution | undefined> {
    let exec: Execution | undefined;
    await readLog(this.store, executionId, (page) => {
      exec ??= new Execution(this.#runtime, executionId, workflowName ?? page[0]!.name);
      exec.ingest(page);
    });
    return exec;
  }

  /** Runs `exec` on: `resume` gives the value for its first pending pause; without it (a wake) no pause is resumed. */
  async #continue<I, O>(workflow: Workflow<I, O>, exec: Execution, resume: { value: unknown } | undefined): Promise<WorkflowExecutionContext<I, O>> {
    const recordedName = exec.events[0]?.name;
    if (recordedName !== workflow.name) {
      throw new UsageError(`execution ${exec.id} belongs to workflow "${recordedName}", not "${workflow.name}"`);
    }
    const context = new WorkflowExecutionContext<I, O>(exec, new StepScope(""), this);
    if (isTerminal(exec.state)) return context;
    const existing = exec.events.length > 0 && exec.events.length === exec.committedCount;
    this.#leases.track(exec); // synchronous: of two concurrent runs of one id on this engine, the second throws here
    try {
      if (existing) await this.#leases.take(exec);
      await this.#runLeased(workflow, exec, context, resume);
    } finally {
      await this.#leases.release(exec);
    }
    return context;
  }

  async #runLeased<I, O>(workflow: Workflow<I, O>, exec: Execution, context: WorkflowExecutionContext<I, O>, resume: { value: unknown } | undefined): Promise<void> {
    if (exec.state === "paused") {
      for (const record of resume === undefined ? [] : exec.index.values()) {
        if (record.kind === "pause" && !record.resumed) {
          exec.emit(T.TASK_RESUMED, record.stepId, record.name, resume?.value);
          break;
        }
      }
      exec.emit(T.WORKFLOW_RESUMED, exec.id, workflow.name, resume?.value);
      await exec.commit();
    }
    await exec.start(async () => workflow.invoke(context as WorkflowExecutionContext<I>));
  }
}
