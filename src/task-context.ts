import type { Task } from "./task.js";

/**
 * What a task body defined with `task.withContext` receives first. Valid while the attempt
 * runs: once it ends (finished, failed or timed out) its durable calls reject and record nothing.
 */
export interface TaskContext {
  readonly executionId: string;
  /** The step's id: `"3"`, or `"3.2"` for the second step nested in step 3. */
  readonly stepId: string;
  readonly taskName: string;
  /** 0 on the first run, n on the n-th retry. */
  readonly attempt: number;
  /** Aborts when the attempt times out (or its parent step's does): stop work and return. */
  readonly signal: AbortSignal;
  /** The values of the task's `secrets` option. Never recorded; redacted from what the task records. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Runs `task` as a nested step, recorded and replayed like any other. */
  run<A extends unknown[], R>(task: Task<A, R>, ...args: A): Promise<R>;
  /** Runs `task` once per item, concurrently, as nested steps; results in item order. */
  map<T, R>(task: Task<[T], R>, items: readonly T[]): Promise<R[]>;
  /** Tells the engine's subscribers how far the task got (e.g. `0.5`). Not recorded. */
  progress(value: unknown): void;
}
