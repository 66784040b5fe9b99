import type { TaskOutputStorage } from "./blobs/value-storage.js";
import { UsageError } from "./errors.js";
import type { TaskContext } from "./task-context.js";

/**
 * Retries after a failed attempt: at most `maxAttempts` retries (the first run is not counted,
 * as in Python Flux), waiting `delay` ms before the first retry and `backoff` times longer
 * before each next one. `{ maxAttempts: 3, delay: 1000, backoff: 2 }` waits 1 s, 2 s, 4 s.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly delay?: number;
  readonly backoff?: number;
}

/** Options of {@link task}. All are optional but `name` for anonymous functions. */
export interface TaskOptions<A extends unknown[], R> {
  /** The step name recorded in events and checked on replay. Default: the function's name. */
  readonly name?: string;
  readonly retry?: RetryPolicy;
  /** Milliseconds per attempt; past it the attempt fails with `ExecutionTimeoutError` and its signal aborts. */
  readonly timeout?: number;
  /** Runs, with the same arguments, once retries are spent; its result becomes the step's. */
  readonly fallback?: (...args: A) => R | Promise<R>;
  /** Runs, with the same arguments, before the failure propagates to the workflow. */
  readonly rollback?: (...args: A) => unknown;
  /** Reuse the result of an earlier run of this task with equal arguments, in any execution. */
  readonly cache?: boolean;
  /** Secret names resolved from the engine's `SecretProvider` before the body runs; see `TaskContext.secrets`. */
  readonly secrets?: readonly string[];
  /**
   * Where this task's large values go, when the engine has output storage
   * (`EngineOptions.outputStorage`): `"inline"` keeps them in the log whatever their size;
   * `{ threshold }` sends those longer than `threshold` characters of JSON to the blob store.
   * Default: the engine's threshold.
   */
  readonly outputStorage?: TaskOutputStorage;
}

/**
 * A unit of work whose result is recorded: run it with `ctx.run(task, ...args)`. On replay a
 * finished step returns its recorded result and the body does not run again. A step that was
 * running when its process died runs again (at-least-once); write bodies that tolerate that.
 */
export interface Task<A extends unknown[] = unknown[], R = unknown> {
  readonly kind: "task";
  readonly name: string;
  readonly options: TaskOptions<A, R>;
  /** @internal the body, given its task context when defined with `task.withContext`. */
  readonly invoke: (context: TaskContext, args: A) => Promise<R>;
}

type Body<A extends unknown[], R> = (...args: A) => R | Promise<R>;
type ContextBody<A extends unknown[], R> = (context: TaskContext, ...args: A) => R | Promise<R>;

/**
 * Defines a task. The body receives the arguments given to `ctx.run`.
 *
 * @example
 * const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);
 * const charge = task({ name: "charge", retry: { maxAttempts: 3, delay: 1000, backoff: 2 } },
 *   async (amount: number) => pay(amount));
 */
export function task<A extends unknown[], R>(nameOrOptions: string | TaskOptions<A, R>, body: Body<A, R>): Task<A, Awaited<R>>;
/** Defines a task named after its function. */
export function task<A extends unknown[], R>(body: Body<A, R>): Task<A, Awaited<R>>;
export function task<A extends unknown[], R>(first: string | TaskOptions<A, R> | Body<A, R>, body?: Body<A, R>): Task<A, Awaited<R>> {
  const [options, fn] = typeof first === "function" ? [{}, first] : [typeof first === "string" ? { name: first } : first, body];
  if (typeof fn !== "function") throw new UsageError("task() needs a body function");
  return define<A, Awaited<R>>(options as TaskOptions<A, Awaited<R>>, fn, (_context, args) => Promise.resolve(fn(...args)) as Promise<Awaited<R>>);
}

/**
 * Defines a task whose body receives its {@link TaskContext} first: to run nested tasks (each
 * recorded as its own step), read its resolved secrets, watch its abort signal, report progress.
 *
 * @example
 * const callApi = task.withContext({ name: "call_api", secrets: ["API_KEY"] },
 *   async (tc, path: string) => fetchJson(path, tc.secrets.API_KEY, tc.signal));
 */
task.withContext = function withContext<A extends unknown[], R>(
  nameOrOptions: string | TaskOptions<A, R>,
  body: ContextBody<A, R>,
): Task<A, Awaited<R>> {
  const options = typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
  return define<A, Awaited<R>>(options as TaskOptions<A, Awaited<R>>, body, (context, args) => Promise.resolve(body(context, ...args)) as Promise<Awaited<R>>);
};

function define<A extends unknown[], R>(
  options: TaskOptions<A, R>,
  fn: { name: string },
  invoke: (context: TaskContext, args: A) => Promise<R>,
): Task<A, R> {
  const name = options.name ?? fn.name;
  if (!name) throw new UsageError("a task needs a name: pass { name } or a named function");
  validateOptions(name, options);
  return Object.freeze({ kind: "task", name, options, invoke });
}

function validateOptions(name: string, options: TaskOptions<never, unknown>): void {
  const bad = (what: string) => new UsageError(`task "${name}": ${what}`);
  const retry = options.retry;
  if (retry !== undefined) {
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 0) throw bad(`retry.maxAttempts must be a whole number ≥ 0, not ${retry.maxAttempts}`);
    if (retry.delay !== undefined && !(retry.delay >= 0)) throw bad(`retry.delay must be milliseconds ≥ 0, not ${retry.delay}`);
    if (retry.backoff !== undefined && !(retry.backoff >= 1)) throw bad(`retry.backoff must be ≥ 1, not ${retry.backoff}`);
  }
  if (options.timeout !== undefined && !(options.timeout > 0)) throw bad(`timeout must be milliseconds > 0, not ${options.timeout}`);
  for (const secret of options.secrets ?? []) if (typeof secret !== "string" || secret === "") throw bad("secrets must be non-empty names");
}
