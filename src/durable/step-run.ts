import { cacheKey } from "../cache-key.js";
import { ExecutionTimeoutError, RetryError, SecretNotFoundError, SerializationError, ValueTooLargeError } from "../errors.js";
import { ExecutionEventType as T } from "../events.js";
import { StoppedSignal, type Execution } from "../execution.js";
import type { StepRecord } from "../replay-index.js";
import { never } from "../scheduling.js";
import { decodeValue, encodeValue } from "../serialization.js";
import { StepTaskContext, type RunNested } from "../step-task-context.js";
import type { Task } from "../task.js";
import { anySignal } from "../scheduling.js";
import { failStep } from "./fail-step.js";

/**
 * One step of a task being run for real, from its first attempt (or where the log left it): its
 * secrets, its cache, its attempts with retries and timeout, its fallback and rollback. Every
 * event goes through `Execution.emit`, which redacts the secrets resolved in the run, so no
 * event of the step (arguments of a fallback or rollback included) can record one.
 */
export class StepRun<A extends unknown[], R> {
  readonly #secrets: Record<string, string> = {};

  constructor(
    readonly exec: Execution,
    readonly stepId: string,
    readonly task: Task<A, R>,
    readonly args: A,
    readonly parentSignal: AbortSignal | undefined,
    readonly record: StepRecord | undefined,
    /** Runs the task's nested steps (`runTaskStep`, handed in so that this module does not import it back). */
    readonly runNested: RunNested,
  ) {}

  async run(): Promise<R> {
    const { exec, stepId, task } = this;
    let result: { value: R } | undefined;
    let error: unknown;
    try {
      // Awaited only when there is something to wait for: each await is a turn of the loop.
      if (task.options.secrets !== undefined && task.options.secrets.length > 0) await this.#resolveSecrets();
      result = task.options.cache === true ? await this.#fromCache() : await this.#attempts();
    } catch (failure) {
      if (exec.halted !== undefined) return never();
      if (failure instanceof StoppedSignal) return exec.inFlight.abandon();
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
        completed = exec.emit(T.TASK_COMPLETED, stepId, task.name, result.value, task.options.outputStorage ?? "engine");
      } catch (failure) {
        if (!(failure instanceof SerializationError)) throw failure;
        const Failure = failure instanceof ValueTooLargeError ? ValueTooLargeError : SerializationError;
        return failStep(exec, stepId, task.name, new Failure(`task "${task.name}" (step ${stepId}) returned a value that cannot be recorded: ${failure.message}`, { cause: failure }));
      }
      await exec.flush();
      // With secrets, the workflow gets the value as recorded (redacted), as a replay would.
      return exec.secrets.length === 0 ? result.value : (completed.value as R);
    }
    await this.#rollback();
    this.#assertWanted();
    return failStep(exec, stepId, task.name, error);
  }

  /** A nested step whose parent attempt ended (timed out, failed) records nothing more. */
  #assertWanted(): void {
    if (this.parentSignal?.aborted) throw this.parentSignal.reason;
  }

  /** Waits `ms` (a retry delay): stopped at once by the engine's close, or by the parent attempt's end. */
  #delay(ms: number): Promise<void> {
    const stop = this.exec.stopSignal;
    return this.exec.runtime.clock.sleep(ms, this.parentSignal === undefined ? stop : anySignal([stop, this.parentSignal]));
  }

  /**
   * Waits until `until` before the next attempt: held in the run when that is at most the
   * engine's `holdSleepsUpTo` away (or the step is nested in a running attempt), else the run
   * suspends on it as a timer, like a long durable sleep, and the next attempt runs when it is woken.
   */
  async #waitUntil(until: number): Promise<void> {
    const left = until - this.exec.runtime.clock.now();
    if (left <= 0) return;
    if (left > this.exec.runtime.holdSleepsUpTo && this.parentSignal === undefined) {
      return this.exec.inFlight.block({ kind: "timer", stepId: this.stepId, until });
    }
    await this.#delay(left);
  }

  async #attempts(): Promise<{ value: R }> {
    const { exec, stepId, task } = this;
    const retry = task.options.retry;
    const maxRetries = retry?.maxAttempts ?? 0;
    let attempt = this.record?.retries ?? 0;
    let resumingOpenRetry = this.record?.retryOpen === true;
    for (;;) {
      if (attempt > 0 && resumingOpenRetry) {
        const until = (this.record?.retryStartedAt ?? 0) + (this.record?.retryDelay ?? 0);
        await this.#waitUntil(until);
        resumingOpenRetry = false;
      }
      try {
        const value = await this.#attempt(attempt);
        if (attempt > 0) exec.emit(T.TASK_RETRY_COMPLETED, stepId, task.name, { attempt });
        return { value };
      } catch (error) {
        if (exec.ended) return never();
        if (attempt > 0) exec.emit(T.TASK_RETRY_FAILED, stepId, task.name, { attempt, error });
        if (retry === undefined) throw error;
        if (attempt >= maxRetries) {
          throw new RetryError(`task "${task.name}" (step ${stepId}) failed after ${attempt + 1} attempts: ${messageOf(error)}`, { cause: error, attempts: attempt + 1 });
        }
      }
      attempt += 1;
      const delay = (retry.delay ?? 0) * (retry.backoff ?? 1) ** (attempt - 1);
      const started = exec.emit(T.TASK_RETRY_STARTED, stepId, task.name, { attempt, delay });
      await exec.flush();
      if (delay > 0) await this.#waitUntil(started.time + delay);
    }
  }

  async #attempt(attempt: number): Promise<R> {
    const { exec, task, stepId } = this;
    const parent = this.parentSignal;
    if (parent?.aborted) throw parent.reason;
    const context = new StepTaskContext(exec, stepId, task.name, attempt, this.#secrets, this.runNested);
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
    exec.emit(T.TASK_FALLBACK_STARTED, stepId, task.name, this.args, task.options.outputStorage ?? "engine");
    try {
      const value = await fallback(...this.args);
      exec.emit(T.TASK_FALLBACK_COMPLETED, stepId, task.name, value, task.options.outputStorage ?? "engine");
      return { value };
    } catch (error) {
      exec.emit(T.TASK_FALLBACK_FAILED, stepId, task.name, error);
      throw error;
    }
  }

  async #rollback(): Promise<void> {
    const { exec, stepId, task } = this;
    const rollback = task.options.rollback;
    if (rollback === undefined || exec.ended) return;
    exec.emit(T.TASK_ROLLBACK_STARTED, stepId, task.name, this.args, task.options.outputStorage ?? "engine");
    try {
      const value = await rollback(...this.args);
      exec.emit(T.TASK_ROLLBACK_COMPLETED, stepId, task.name, value === undefined ? null : value);
    } catch (error) {
      exec.emit(T.TASK_ROLLBACK_FAILED, stepId, task.name, error);
    }
  }

  async #resolveSecrets(): Promise<void> {
    const names = this.task.options.secrets ?? [];
    const provider = this.exec.runtime.secrets;
    for (const name of names) {
      const value = await provider.get(name);
      if (value === undefined) {
        const hint = provider.hint?.(name) ?? "give the engine a SecretProvider that has it";
        throw new SecretNotFoundError(`task "${this.task.name}" (step ${this.stepId}) needs the secret ${name}, which is not set: ${hint}`);
      }
      this.#secrets[name] = value;
      if (value !== "" && !this.exec.secrets.includes(value)) this.exec.secrets.push(value);
    }
  }

  async #fromCache(): Promise<{ value: R } | undefined> {
    const store = this.exec.runtime.store;
    const key = await cacheKey(this.task.name, this.args);
    const hit = await store.getCached(key);
    if (hit !== undefined) return { value: decodeValue(hit) as R };
    const result = await this.#attempts();
    const redact = this.exec.secrets.length > 0 ? this.exec.secrets : undefined;
    await store.setCached(key, encodeValue(result.value, `the result of task "${this.task.name}"`, redact));
    return result;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
