import { currentDefaultEngine } from "./default-engine-slot.js";
import type { Engine } from "./engine.js";
import type { RunOptions } from "./engine-options.js";
import { UsageError } from "./errors.js";
import type { WorkflowExecutionContext } from "./execution-context.js";
import type { Queue } from "./queue.js";

/** The body of a workflow: deterministic code that reaches the world only through `ctx`. */
export type WorkflowBody<I, O> = (ctx: WorkflowExecutionContext<I>) => Promise<O> | O;

/** Where to run: an engine (default: the environment's default engine). */
export interface WorkflowRunOptions extends RunOptions {
  readonly engine?: Engine;
}

/** Options of {@link workflow}. */
export interface WorkflowOptions {
  /**
   * The queue its starts wait in (see `queue()`): a start is recorded at once in state `queued`
   * and runs once the queue admits it. `RunOptions.queue` overrides it for one start. A
   * subworkflow (`ctx.call`) and a schedule's firing run at once, outside any queue.
   */
  readonly queue?: Queue;
}

/**
 * A named workflow. Running it starts an execution (or, given an `executionId`, replays that
 * execution: recorded steps return at once; a paused one resumes; a finished one returns as it
 * ended, appending nothing).
 */
export class Workflow<I = unknown, O = unknown> {
  /** What this is, as `ctx.call`, `ctx.map` and the engine tell workflows from tasks (without `instanceof`). */
  readonly kind = "workflow" as const;
  // Stored type-erased so that a workflow's type varies only through run()'s result.
  readonly #body: (ctx: never) => unknown;

  /** The queue its starts wait in, if any (see {@link WorkflowOptions.queue}). */
  readonly queue: Queue | undefined;

  constructor(
    readonly name: string,
    body: WorkflowBody<I, O>,
    options: WorkflowOptions = {},
  ) {
    this.#body = body;
    this.queue = options.queue;
  }

  /** @internal Runs the body with `ctx` (the engine calls this; a method, so any workflow is a `Workflow<unknown, unknown>`). */
  invoke(ctx: WorkflowExecutionContext<I>): Promise<O> | O {
    return this.#body(ctx as never) as Promise<O> | O;
  }

  /**
   * Runs the workflow until it finishes or pauses, on `options.engine` or the default engine.
   *
   * @example
   * const ctx = await helloWorld.run("World");
   * const again = await helloWorld.run(undefined, { executionId: ctx.executionId }); // same output, nothing re-run
   */
  run(input?: I, options: WorkflowRunOptions = {}): Promise<WorkflowExecutionContext<I, O>> {
    return (options.engine ?? currentDefaultEngine()).run(this, input as I, options);
  }

  /** Resumes a paused execution: its pending pause returns `value`. See `Engine.resume`. */
  resume(executionId: string, value?: unknown, options: { engine?: Engine } = {}): Promise<WorkflowExecutionContext<I, O>> {
    return (options.engine ?? currentDefaultEngine()).resume(this, executionId, value);
  }
}

/**
 * Defines a workflow.
 *
 * @example
 * const helloWorld = workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) =>
 *   ctx.run(sayHello, ctx.input));
 * const sendEmail = workflow("send_email", body, { queue: queue("emails", { concurrency: 10 }) });
 */
export function workflow<I = unknown, O = unknown>(name: string, body: WorkflowBody<I, O>, options: WorkflowOptions = {}): Workflow<I, Awaited<O>> {
  if (typeof name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new UsageError(`invalid workflow name ${JSON.stringify(name)}: use letters, digits, "_", "-" and "." (it is a URL path segment)`);
  }
  if (typeof body !== "function") throw new UsageError(`workflow "${name}" needs a body function`);
  if (options.queue !== undefined && (typeof options.queue !== "object" || typeof options.queue.name !== "string")) {
    throw new UsageError(`workflow "${name}": its queue must be made by queue(name, limits)`);
  }
  return new Workflow(name, body as WorkflowBody<I, Awaited<O>>, options);
}
