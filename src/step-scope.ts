/**
 * Numbers the durable calls made in one place (the workflow body, a task body, a parallel
 * branch) in the order they are called, synchronously, so that concurrent calls get the same
 * ids on every replay whatever order they finish in. Root steps are `"1"`, `"2"`...; the steps
 * of a scope under step `"3"` are `"3.1"`, `"3.2"`...
 */
export class StepScope {
  #next = 1;
  constructor(
    readonly prefix: string,
    /** Aborts when the owner of the scope (a task attempt) ended; its calls then record nothing. */
    readonly signal?: AbortSignal,
    /** True for the steps nested in a task's body (they belong to that running step). */
    readonly inTask = false,
  ) {}

  /** The id of the next durable call in this scope. */
  nextId(): string {
    return `${this.prefix}${this.#next++}`;
  }

  /** A scope for the calls made under step `stepId`: a parallel branch's (in the same task, or none). */
  child(stepId: string): StepScope {
    return new StepScope(`${stepId}.`, this.signal, this.inTask);
  }
}
