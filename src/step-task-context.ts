import type { Execution } from "./execution.js";
import { StepScope } from "./step-scope.js";
import type { TaskContext } from "./task-context.js";
import type { Task } from "./task.js";

/** How a task context runs a nested step (the task step itself: given, so that this module does not import it back). */
export type RunNested = <A extends unknown[], R>(exec: Execution, scope: StepScope, task: Task<A, R>, args: A) => Promise<R>;

/**
 * The {@link TaskContext} of one attempt. Its abort signal (and the scope of its nested steps,
 * which carries that signal) is made on first use; once the attempt ended, a signal made then
 * is already aborted, so the contract is the same as if it had been made up front.
 */
export class StepTaskContext implements TaskContext {
  readonly #exec: Execution;
  #controller: AbortController | undefined;
  #scope: StepScope | undefined;
  #ended = false;

  constructor(
    exec: Execution,
    readonly stepId: string,
    readonly taskName: string,
    readonly attempt: number,
    readonly secrets: Readonly<Record<string, string>>,
    readonly runNested: RunNested,
  ) {
    this.#exec = exec;
  }

  get executionId(): string {
    return this.#exec.id;
  }

  get signal(): AbortSignal {
    return this.controller().signal;
  }

  /** The attempt's abort controller, made now if it was not yet. */
  controller(): AbortController {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const cancelled = this.#exec.cancelSignal;
      if (this.#ended) controller.abort(this.#endError());
      else if (cancelled.aborted) controller.abort(cancelled.reason);
      else cancelled.addEventListener("abort", () => controller.abort(cancelled.reason), { once: true, signal: controller.signal });
    }
    return this.#controller;
  }

  /** The attempt has ended: its signal (if any) aborts, and its later durable calls record nothing. */
  end(): void {
    this.#ended = true;
    const controller = this.#controller;
    if (controller !== undefined && !controller.signal.aborted) controller.abort(this.#endError());
  }

  run<A extends unknown[], R>(task: Task<A, R>, ...args: A): Promise<R> {
    return this.runNested(this.#exec, this.#nested(), task, args);
  }

  map<I, R>(task: Task<[I], R>, items: readonly I[]): Promise<R[]> {
    const scope = this.#nested();
    return Promise.all(items.map((item) => this.runNested(this.#exec, scope, task, [item])));
  }

  progress(value: unknown): void {
    if (this.#exec.runtime.listening && !this.#ended && this.#controller?.signal.aborted !== true) {
      this.#exec.runtime.notify({ kind: "progress", executionId: this.#exec.id, stepId: this.stepId, name: this.taskName, value });
    }
  }

  #nested(): StepScope {
    this.#scope ??= new StepScope(this.attempt === 0 ? `${this.stepId}.` : `${this.stepId}~${this.attempt}.`, this.signal, true);
    return this.#scope;
  }

  #endError(): Error {
    return new Error(`the attempt of task "${this.taskName}" (step ${this.stepId}) has ended`);
  }
}
