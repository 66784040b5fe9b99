import { ExecutionTimeoutError, RetryError, SecretNotFoundError, SerializationError } from "./errors.js";
import { ExecutionEventType as T } from "./events.js";
import type { Execution } from "./execution.js";
import type { StepRecord } from "./replay-index.js";
import { never } from "./scheduling.js";
import { decodeValue, encodeValue } from "./serialization.js";
import type { StepScope } from "./step-scope.js";
import { StepTaskContext } from "./step-task-context.js";
import { cacheKey } from "./cache-key.js";
import type { Task } from "./task.js";

/**
 * Runs one durable call as the step numbered next in `scope`, with the contract every kind of
 * step shares: the id is taken synchronously; the call counts as in flight until it settles;
 * once the run has ended it records nothing and never settles.
 */
export function track<R>(exec: Execution, scope: StepScope, body: (stepId: string) => Promise<R>, counted = true): Promise<R> {
  const stepId = scope.nextId();
  if (exec.ended) return never();
  if (scope.signal?.aborted) return Promise.reject(scope.signal.reason);
  if (!counted) return body(stepId);
  exec.stepStarted();
  const result = body(stepId);
  result.then(exec.onStepSettled, exec.onStepSettled);
  return result;
}

/**
 * The recorded step at `stepId`, after checking that it is the same kind and name as the call
 * being replayed; `undefined` for a step never recorded. Halts the run on a mismatch.
 */
export function recorded(exec: Execution, stepId: string, kind: StepRecord["kind"], name: string): StepRecord | undefined | "diverged" {
  const record = exec.index.get(stepId);
  if (record === undefined) {
    if (!exec.runtime.strictReplay) return undefined;
    void exec.diverged(`During replay of execution ${exec.id}, the code calls ${kind === "pause" ? "pause" : "task"} "${name}" as step ${stepId}, which the history does not have.`);
    return "diverged";
  }
  if (record.kind !== kind || record.name !== name) {
    const was = `${record.kind === "pause" ? "pause" : "task"} "${record.name}"`;
    const now = `${kind === "pause" ? "pause" : "task"} "${name}"`;
    void exec.diverged(`During replay of execution ${exec.id}, step ${stepId} was recorded as ${was}, but the code now calls ${now}.`);
    return "diverged";
  }
  return record;
}

/** Runs `task` as a step: replayed from the log when recorded, else run with its retry, timeout, fallback and rollback. */
export function runTaskStep<A extends unknown[], R>(exec: Execution, scope: StepScope, task: Task<A, R>, args: A): Promise<R> {
  const stepId = scope.nextId();
  if (exec.ended) return never();
  if (scope.signal?.aborted) return Promise.reject(scope.signal.reason);
  const record = recorded(exec, stepId, "task", task.name);
  if (record === "diverged") return never();
  // A finished step replays from the log at once: nothing runs and nothing is in flight, so
  // a replay costs one lookup and one settled promise per step.
  if (record?.outcome !== undefined) return record.outcome.ok ? Promise.resolve(record.outcome.value as R) : Promise.reject(record.outcome.error);
  exec.stepStarted();
  const result = runUnfinished(exec, stepId, scope, task, args, record);
  result.then(exec.onStepSettled, exec.onStepSettled);
  return result;
}

/** A step that has no recorded end: started now (recorded first), or resumed where the log left it. */
async function runUnfinished<A extends unknown[], R>(exec: Execution, stepId: string, scope: StepScope, task: Task<A, R>, args: A, record: StepRecord | undefined): Promise<R> {
  if (record === undefined) {
    try {
      exec.emit(T.TASK_STARTED, stepId, task.name, args, scope.redact);
    } catch (error) {
      exec.emit(T.TASK_STARTED, stepId, task.name, null);
      return fail(exec, stepId, task.name, error);
    }
  }
  return new StepRun(exec, stepId, task, args, scope.signal, record, scope.redact).run();
}

/** Records the step's failure and throws it (as recorded, so secrets redacted from it stay redacted). */
async function fail(exec: Execution, stepId: string, name: string, error: unknown, redact?: readonly string[]): Promise<never> {
  const event = exec.emit(T.TASK_FAILED, stepId, name, error, redact);
  await exec.flush();
  throw redact === undefined ? error : event.value;
}

/** One step of a task being run for real, from its first attempt (or where the log left it). */
class StepRun<A extends unknown[], R> {
  #secrets: Record<string, string> = {};
  #redact: string[] | undefined;

  constructor(
    readonly exec: Execution,
    readonly stepId: string,
    readonly task: Task<A, R>,
    readonly args: A,
    readonly parentSignal: AbortSignal | undefined,
    readonly record: StepRecord | undefined,
    /** The secrets of the tasks this step is nested in: hidden from what it records, as its own are. */
    readonly inherited?: readonly string[],
  ) {
    this.#redact = inherited === undefined ? undefined : [...inherited];
  }

  async run(): Promise<R> {
    const { exec, stepId, task } = this;
    let result: { value: R } | undefined;
    let error: unknown;
    try {
      // Awaited only when there is something to wait for: each await is a turn of the loop.
      if (task.options.secrets !== undefined && task.options.secrets.length > 0) await this.#resolveSecrets();
      result = task.options.cache === true ? await this.#fromCache() : await this.#attempts();
    } catch (failure) {
      error = failure;
    }
    if (result === undefined && task.options.fallback !== undefined) {
      result = await this.#fallback().catch((failure: unknown) => {
        error = failure;
        return undefined;
      });
    }
    this.#assertWanted();
    if (result !== undefined) {
      let completed;
      try {
        completed = exec.emit(T.TASK_COMPLETED, stepId, task.name, result.value, this.#redact);
      } catch (failure) {
        if (!(failure instanceof SerializationError)) throw failure;
        return fail(exec, stepId, task.name, new SerializationError(`task "${task.name}" (step ${stepId}) returned a value that cannot be recorded: ${failure.message}`, { cause: failure }), this.#redact);
      }
      await exec.flush();
      // With secrets, the workflow gets the value as recorded (redacted), as a replay would.
      return this.#redact === undefined ? result.value : (completed.value as R);
    }
    await this.#rollback();
    this.#assertWanted();
    return fail(exec, stepId, task.name, error, this.#redact);
  }

  /** A nested step whose parent attempt ended (timed out, failed) records nothing more. */
  #assertWanted(): void {
    if (this.parentSignal?.aborted) throw this.parentSignal.reason;
  }

  async #attempts(): Promise<{ value: R }> {
    const { exec, stepId, task } = this;
    const retry = task.options.retry;
    const maxRetries = retry?.maxAttempts ?? 0;
    let attempt = this.record?.retries ?? 0;
    let resumingOpenRetry = this.record?.retryOpen === true;
    for (;;) {
      if (attempt > 0 && resumingOpenRetry) {
        const left = (this.record?.retryStartedAt ?? 0) + (this.record?.retryDelay ?? 0) - exec.runtime.clock.now();
        if (left > 0) await exec.runtime.clock.sleep(left, this.parentSignal);
        resumingOpenRetry = false;
      }
      try {
        const value = await this.#attempt(attempt);
        if (attempt > 0) exec.emit(T.TASK_RETRY_COMPLETED, stepId, task.name, { attempt });
        return { value };
      } catch (error) {
        if (exec.ended) return never();
        if (attempt > 0) exec.emit(T.TASK_RETRY_FAILED, stepId, task.name, { attempt, error }, this.#redact);
        if (retry === undefined) throw error;
        if (attempt >= maxRetries) {
          throw new RetryError(`task "${task.name}" (step ${stepId}) failed after ${attempt + 1} attempts: ${messageOf(error)}`, { cause: error, attempts: attempt + 1 });
        }
      }
      attempt += 1;
      const delay = (retry.delay ?? 0) * (retry.backoff ?? 1) ** (attempt - 1);
      exec.emit(T.TASK_RETRY_STARTED, stepId, task.name, { attempt, delay });
      await exec.flush();
      if (delay > 0) await exec.runtime.clock.sleep(delay, this.parentSignal);
    }
  }

  async #attempt(attempt: number): Promise<R> {
    const { exec, task, stepId } = this;
    const parent = this.parentSignal;
    if (parent?.aborted) throw parent.reason;
    const context = new StepTaskContext(exec, stepId, task.name, attempt, this.#secrets, this.#redact);
    const timeout = task.options.timeout;
    if (timeout === undefined && parent === undefined) {
      // Nothing but its own end can abort this attempt: no race, no listeners, and an abort
      // signal only if the body asks for one (most no-op-sized steps never do).
      try {
        return await task.invoke(context, this.args);
      } finally {
        context.end();
      }
    }
    const controller = context.controller();
    const onParentAbort = () => controller.abort(parent?.reason);
    parent?.addEventListener("abort", onParentAbort, { once: true });
    const limits: Promise<never>[] = [];
    if (timeout !== undefined) {
      limits.push(exec.runtime.clock.sleep(timeout, controller.signal).then(() => {
        const error = new ExecutionTimeoutError(`task "${task.name}" (step ${stepId}) timed out after ${timeout} ms`, { timeout });
        controller.abort(error);
        throw error;
      }));
    }
    limits.push(new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true })));
    try {
      return await Promise.race([task.invoke(context, this.args), ...limits]);
    } finally {
      context.end();
      parent?.removeEventListener("abort", onParentAbort);
      for (const limit of limits) limit.catch(() => {});
    }
  }

  async #fallback(): Promise<{ value: R }> {
    const { exec, stepId, task } = this;
    const fallback = task.options.fallback!;
    exec.emit(T.TASK_FALLBACK_STARTED, stepId, task.name, this.args);
    try {
      const value = await fallback(...this.args);
      exec.emit(T.TASK_FALLBACK_COMPLETED, stepId, task.name, value, this.#redact);
      return { value };
    } catch (error) {
      exec.emit(T.TASK_FALLBACK_FAILED, stepId, task.name, error, this.#redact);
      throw error;
    }
  }

  async #rollback(): Promise<void> {
    const { exec, stepId, task } = this;
    const rollback = task.options.rollback;
    if (rollback === undefined || exec.ended) return;
    exec.emit(T.TASK_ROLLBACK_STARTED, stepId, task.name, this.args);
    try {
      const value = await rollback(...this.args);
      exec.emit(T.TASK_ROLLBACK_COMPLETED, stepId, task.name, value === undefined ? null : value, this.#redact);
    } catch (error) {
      exec.emit(T.TASK_ROLLBACK_FAILED, stepId, task.name, error, this.#redact);
    }
  }

  async #resolveSecrets(): Promise<void> {
    const names = this.task.options.secrets ?? [];
    if (names.length === 0) return;
    const provider = this.exec.runtime.secrets;
    for (const name of names) {
      const value = await provider.get(name);
      if (value === undefined) {
        const hint = provider.hint?.(name) ?? "give the engine a SecretProvider that has it";
        throw new SecretNotFoundError(`task "${this.task.name}" (step ${this.stepId}) needs the secret ${name}, which is not set: ${hint}`);
      }
      this.#secrets[name] = value;
    }
    this.#redact = [...(this.inherited ?? []), ...Object.values(this.#secrets)];
  }

  async #fromCache(): Promise<{ value: R } | undefined> {
    if (this.task.options.cache !== true) return undefined;
    const store = this.exec.runtime.store;
    const key = await cacheKey(this.task.name, this.args);
    const hit = await store.getCached(key);
    if (hit !== undefined) return { value: decodeValue(hit) as R };
    const result = await this.#attempts();
    await store.setCached(key, encodeValue(result.value, `the result of task "${this.task.name}"`, this.#redact));
    return result;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
