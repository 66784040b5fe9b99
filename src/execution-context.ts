import { callStep } from "./durable/call-step.js";
import { waitForEventStep } from "./durable/event-step.js";
import { openParallel } from "./durable/parallel-step.js";
import { pauseStep } from "./durable/pause-step.js";
import { sleepStep } from "./durable/sleep-step.js";
import { runTaskStep } from "./durable/task-step.js";
import { UsageError, type ExecutionError } from "./errors.js";
import type { ExecutionEvent, ExecutionState } from "./events.js";
import type { Execution } from "./execution.js";
import { Graph } from "./graph.js";
import type { StepScope } from "./step-scope.js";
import { task, type Task } from "./task.js";
import type { Workflow } from "./workflow.js";
import { randomUUID } from "./random-uuid.js";

/**
 * The context a workflow receives, and what a run returns: the execution's identity, state and
 * events, and every durable operation. Each operation is a step, numbered in call order and
 * recorded; on replay a finished step returns its recorded result without running again, and a
 * call that does not match the recorded step at its position fails the run with
 * `NonDeterminismError`. The workflow body must reach time, randomness and I/O only through
 * these operations and tasks.
 *
 * @example
 * const hello = workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) =>
 *   ctx.run(sayHello, ctx.input));
 * const ctx = await hello.run("World");
 * ctx.output; // "Hello, World"
 */
export class WorkflowExecutionContext<I = unknown, O = unknown> {
  readonly #exec: Execution;
  readonly #scope: StepScope;

  /** @internal contexts are made by the engine. */
  constructor(exec: Execution, scope: StepScope) {
    this.#exec = exec;
    this.#scope = scope;
  }

  /** The execution's unique id: give it to `run` or `resume` to replay or resume it. */
  get executionId(): string {
    return this.#exec.id;
  }
  /** The workflow's name. */
  get name(): string {
    return this.#exec.workflowName;
  }
  /** The input the execution started with (as recorded). */
  get input(): I {
    return this.#exec.input as I;
  }
  /** The workflow's result once succeeded; its `ExecutionError` once failed (a `CancelledError` once cancelled); else `undefined`. */
  get output(): O | ExecutionError | undefined {
    return this.#exec.output as O | ExecutionError | undefined;
  }
  /**
   * Every event so far, in order. Append-only: the same array grows as the execution runs. Its
   * elements are decoded when read (each read gives a new object), so a long history costs little
   * memory; a running execution does not keep values over 4 KB (reading one throws a `UsageError`
   * saying to use `engine.inspect`, which keeps them).
   */
  get events(): readonly ExecutionEvent[] {
    return this.#exec.events;
  }
  get state(): ExecutionState {
    return this.#exec.state;
  }
  /** Succeeded, failed or cancelled: it will not run again. */
  get finished(): boolean {
    return this.succeeded || this.failed || this.cancelled;
  }
  /** Cancelled (`engine.cancel`): `output` is the `CancelledError`. */
  get cancelled(): boolean {
    return this.#exec.state === "cancelled";
  }
  get succeeded(): boolean {
    return this.#exec.state === "succeeded";
  }
  get failed(): boolean {
    return this.#exec.state === "failed";
  }
  /** Suspended at a pause point, waiting for `resume`. */
  get paused(): boolean {
    return this.#exec.state === "paused";
  }

  /** Runs a task (or a graph) as a step and returns its result. */
  run<A extends unknown[], R>(task: Task<A, R>, ...args: A): Promise<R>;
  run<GI, GO>(graph: Graph<GI, GO>, input: GI): Promise<GO>;
  run(target: Task<unknown[], unknown> | Graph<unknown, unknown>, ...args: unknown[]): Promise<unknown> {
    const step = (target instanceof Graph ? target.task : target) as Task<unknown[], unknown>;
    if (step?.kind !== "task") throw new UsageError(`ctx.run() takes a task or a graph, not ${describe(target)}`);
    return runTaskStep(this.#exec, this.#scope, step, args);
  }

  /** Runs `task` once per item, or `workflow` once per input as subworkflows, concurrently. */
  map<T, R>(task: Task<[T], R>, items: readonly T[]): Promise<R[]>;
  map<T, R>(workflow: Workflow<T, R>, inputs: readonly T[]): Promise<WorkflowExecutionContext<T, R>[]>;
  map(target: Task<[unknown], unknown> | Workflow<unknown, unknown>, items: readonly unknown[]): Promise<unknown[]> {
    if (!Array.isArray(items)) throw new UsageError(`ctx.map() takes an array of items, not ${describe(items)}`);
    if (isWorkflow(target)) {
      return Promise.all(items.map((item) => callStep(this.#exec, this.#scope, target, item, true)));
    }
    if (target?.kind !== "task") throw new UsageError(`ctx.map() takes a task or a workflow, not ${describe(target)}`);
    return Promise.all(items.map((item) => runTaskStep(this.#exec, this.#scope, target, [item])));
  }

  /**
   * Runs branches concurrently; each gets its own context, whose steps are numbered within the
   * branch, so a branch may run several steps in sequence and still replay identically.
   */
  parallel<F extends ((branch: WorkflowExecutionContext<I, O>) => unknown)[]>(...branches: F): Promise<{ -readonly [K in keyof F]: Awaited<ReturnType<F[K]>> }> {
    const scopes = openParallel(this.#exec, this.#scope, branches.length);
    if (scopes === undefined) return new Promise(() => {}); // diverged: the run halted
    return Promise.all(branches.map((branch, i) => branch(new WorkflowExecutionContext<I, O>(this.#exec, scopes[i]!)))) as Promise<{
      -readonly [K in keyof F]: Awaited<ReturnType<F[K]>>;
    }>;
  }

  /** Runs tasks in sequence, each given the previous one's result; returns the last result. */
  async pipeline<R = unknown>(tasks: readonly Task<[never], unknown>[], input: unknown): Promise<R> {
    let value = input;
    for (const step of tasks) value = await runTaskStep(this.#exec, this.#scope, step as Task<[unknown], unknown>, [value]);
    return value as R;
  }

  /** Runs `workflow` as a subworkflow (its own execution and events) and returns its output; throws its error if it fails. */
  call<CI, CO>(workflow: Workflow<CI, CO>, input: CI): Promise<CO> {
    if (!isWorkflow(workflow)) throw new UsageError(`ctx.call() takes a workflow, not ${describe(workflow)}`);
    return callStep(this.#exec, this.#scope, workflow, input, false) as Promise<CO>;
  }

  /**
   * A pause point named `name`: the run suspends here until resumed, and this returns the value
   * given to `resume`. `details` (optional) is recorded for whoever resumes it.
   */
  pause<V = unknown>(name: string, details?: unknown): Promise<V> {
    if (typeof name !== "string" || name === "") throw new UsageError("ctx.pause() needs a non-empty name");
    return pauseStep(this.#exec, this.#scope, name, details) as Promise<V>;
  }

  /**
   * Waits for the next event named `name` sent to this execution (`engine.sendEvent`, HTTP
   * `POST /{workflow}/{execution_id}/events/{name}`, `flux send`), and returns its payload; or
   * `undefined` once `options.timeout` ms passed first. An event sent before the wait began, or
   * while the execution ran, waits in its inbox and is taken at once; events of one name are
   * taken in the order they were sent, one per wait. Durable: the run suspends while it waits
   * (the event or the timeout wakes it), and a replay returns the recorded payload.
   *
   * @example
   * const approval = await ctx.waitForEvent<{ approved: boolean }>("approval", { timeout: 86_400_000 });
   * if (approval === undefined) return "expired";
   */
  waitForEvent<T = unknown>(name: string, options: { timeout?: number } = {}): Promise<T | undefined> {
    if (typeof name !== "string" || name === "") throw new UsageError("ctx.waitForEvent() needs a non-empty event name");
    const timeout = options.timeout;
    if (timeout !== undefined && !(timeout >= 0)) throw new UsageError(`ctx.waitForEvent("${name}") needs a timeout in milliseconds ≥ 0, not ${timeout}`);
    return waitForEventStep(this.#exec, this.#scope, name, timeout) as Promise<T | undefined>;
  }

  /** Waits `ms` milliseconds, durably: a replay after a crash waits only what is left. */
  sleep(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new UsageError(`ctx.sleep() needs milliseconds ≥ 0, not ${ms}`);
    return sleepStep(this.#exec, this.#scope, ms);
  }

  /** The current time, recorded: replay returns the same Date. */
  now(): Promise<Date> {
    const clock = this.#exec.runtime.clock;
    return runTaskStep(this.#exec, this.#scope, task("now", () => new Date(clock.now())), []);
  }

  /** A random UUID (v4), recorded. */
  uuid4(): Promise<string> {
    return runTaskStep(this.#exec, this.#scope, uuid4Task, []);
  }

  /** A random integer from `min` to `max`, both included, recorded. */
  randint(min: number, max: number): Promise<number> {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new UsageError(`ctx.randint(${min}, ${max}) needs whole numbers with min ≤ max`);
    return runTaskStep(this.#exec, this.#scope, randintTask, [min, max]);
  }

  /** A random integer from `range(start, stop, step)` (stop excluded), recorded. `randrange(n)` is `randrange(0, n)`. */
  randrange(start: number, stop?: number, step = 1): Promise<number> {
    const [from, to] = stop === undefined ? [0, start] : [start, stop];
    const count = Math.ceil((to - from) / step);
    if (![from, to, step].every(Number.isInteger) || step === 0 || count <= 0) {
      throw new UsageError(`ctx.randrange(${start}, ${stop}, ${step}) is an empty range`);
    }
    return runTaskStep(this.#exec, this.#scope, randrangeTask, [from, to, step]);
  }

  /** One of `items`, chosen at random and recorded. */
  choice<T>(items: readonly T[]): Promise<T> {
    if (!Array.isArray(items) || items.length === 0) throw new UsageError("ctx.choice() needs a non-empty array");
    return runTaskStep(this.#exec, this.#scope, choiceTask, [items]) as Promise<T>;
  }

  /** The seeds' HTTP summary: `execution_id`, `name`, `input`, `output`, `state`. */
  toJSON(): { execution_id: string; name: string; input: unknown; output: unknown; state: ExecutionState } {
    return { execution_id: this.executionId, name: this.name, input: this.input, output: this.output, state: this.state };
  }
}

const uuid4Task = task("uuid4", () => randomUUID());
const randintTask = task("randint", (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1)));
const randrangeTask = task("randrange", (start: number, stop: number, step: number) =>
  start + step * Math.floor(Math.random() * Math.ceil((stop - start) / step)));
const choiceTask = task("choice", (items: readonly unknown[]) => items[Math.floor(Math.random() * items.length)]);

function isWorkflow(value: unknown): value is Workflow<unknown, unknown> {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "workflow";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `the function ${value.name || "(anonymous)"} (wrap it with task())`;
  return typeof value === "object" ? `an ${value.constructor?.name ?? "object"}` : `the ${typeof value} ${String(value)}`;
}
