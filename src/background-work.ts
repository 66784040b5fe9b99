/**
 * @internal The work an engine does that no caller awaits: the run of a `start` answered before
 * it ended, an execution it wakes (an event it delivered, a child's end), a queue's admission and
 * the runs it admits. Whatever starts such work hands its promise to {@link track}, before the
 * work that caused it settles, so that {@link settled} sees each step of a chain (an event wakes a
 * child, whose end wakes its parent) without a gap. What waits without running (a paused,
 * sleeping or queued execution, a timer of the dispatcher) is never tracked: it is not in flight.
 */
export class BackgroundWork {
  readonly #pending = new Set<Promise<unknown>>();

  /** Counts `work` as in flight until it settles (either way); returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const done = (): void => void this.#pending.delete(work);
    work.then(done, done);
    return work;
  }

  /**
   * Resolves once nothing tracked is in flight: what was in flight when called, and what it (or
   * anything else) started meanwhile. Never rejects.
   */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
