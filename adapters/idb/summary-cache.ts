import { isTerminal } from "../../src/events.js";
import { nextSummary } from "../../src/execution-summary.js";
import type { Commit, ExecutionSummary } from "../../src/state-store.js";

const LIMIT = 1_000;

/**
 * The summaries this connection last wrote, so that a commit can write the next summary in the
 * same round trip as its reads instead of after them. A guess, never trusted: the commit still
 * reads each summary in its transaction and aborts (writes included) when the log's length is not
 * the expected one. Bounded; finished executions and failed commits are forgotten.
 */
export class SummaryCache {
  readonly #known = new Map<string, ExecutionSummary>();

  /**
   * The summaries after `commits` (chained per execution), if every execution's current summary
   * is known (or it is new: expected at 0); `undefined` otherwise.
   */
  predict(commits: readonly Commit[]): Map<string, ExecutionSummary | undefined> | undefined {
    const next = new Map<string, ExecutionSummary | undefined>();
    for (const { executionId, events, expectedSeq } of commits) {
      const previous = next.has(executionId) ? next.get(executionId) : this.#known.get(executionId);
      if ((previous?.events ?? 0) !== expectedSeq) return undefined;
      next.set(executionId, events.length === 0 ? previous : nextSummary(previous, executionId, events));
    }
    return next;
  }

  /** Remembers summaries a committed transaction wrote. */
  remember(summaries: Iterable<ExecutionSummary>): void {
    for (const summary of summaries) {
      this.#known.delete(summary.executionId);
      if (isTerminal(summary.state)) continue;
      this.#known.set(summary.executionId, summary);
      if (this.#known.size > LIMIT) this.#known.delete(this.#known.keys().next().value!);
    }
  }

  /** Forgets what is known of these executions (after a failed commit). */
  forget(executionIds: Iterable<string>): void {
    for (const id of executionIds) this.#known.delete(id);
  }
}
