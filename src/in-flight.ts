import { nextMacrotask, never } from "./scheduling.js";
import type { Wait } from "./state-store.js";

/**
 * @internal What a run has in flight, and what its blocked calls wait on. A durable call counts
 * as in flight while it runs; a call that waits (a pause, a long sleep, a subworkflow, an event)
 * leaves the count and registers its wait instead, and never returns in that run. When nothing is
 * in flight any more, `onIdle` runs in the next macrotask (after every microtask queued, so a
 * workflow that goes on calling in between keeps running): the run then suspends on its waits, or
 * ends "stopped".
 */
export class InFlight {
  /** The waits of the blocked calls, by step id. */
  readonly waits = new Map<string, Wait>();
  /** True once a call was abandoned (the engine's close) with nothing to wait on. */
  abandoned = false;
  #count = 0;
  #checking = false;

  constructor(readonly onIdle: () => void) {}

  /** Nothing is in flight. */
  get idle(): boolean {
    return this.#count === 0;
  }

  started(): void {
    this.#count += 1;
  }

  settled(): void {
    this.#count -= 1;
    this.check();
  }

  /** {@link settled} as one function per run, to hand to every step's `then` without a closure each. */
  readonly onSettled = (): void => this.settled();

  /** The call in flight waits on `wait`: it leaves the count, and never returns in this run. */
  block(wait: Wait): Promise<never> {
    this.waits.set(wait.stepId, wait);
    this.settled();
    return never();
  }

  /** The call in flight stopped for the engine's close with nothing to wait on: the run ends "stopped". */
  abandon(): Promise<never> {
    this.abandoned = true;
    this.settled();
    return never();
  }

  /** Runs `onIdle` in the next macrotask if nothing is in flight then. */
  check(): void {
    if (this.#count > 0 || this.#checking) return;
    this.#checking = true;
    nextMacrotask(() => {
      this.#checking = false;
      if (this.#count === 0) this.onIdle();
    });
  }
}
