import { isTerminal } from "../../src/events.js";
import type { Commit, ExecutionSummary } from "../../src/state-store.js";
import { foldCommits, needsInbox, type FoldInputs } from "./commit-fold.js";

const LIMIT = 1_000;

/** What {@link SummaryCache.predict} expects a commit to write, and the summaries that expectation rests on. */
export interface Prediction {
  readonly written: Map<string, ExecutionSummary>;
  /** Every summary the prediction read from the cache (`undefined`: assumed new): the transaction must find exactly these. */
  readonly inputs: FoldInputs;
}

/**
 * The summaries this connection last wrote or read in a committed transaction, so that a commit
 * can write the next summaries in the same round trip as its reads instead of after them. A
 * guess, never trusted: the commit still reads every summary the prediction rests on in its
 * transaction, and when one differs in anything (another tab committed, took the lease, sent
 * an event that woke it, or asked for its cancellation)
 * the commit's writes are aborted and it is made again without a prediction. Bounded; finished
 * executions and the executions of failed commits are forgotten.
 */
export class SummaryCache {
  readonly #known = new Map<string, ExecutionSummary>();

  /**
   * The summaries `commits` will write, folded (as the store folds them) over the remembered
   * ones; an execution not remembered counts as new when its first commit expects 0 events.
   * `undefined` when the fold needs a summary this cache does not have (a child, a parent, an
   * execution it never saw) or an inbox (a commit that consumes inbox events, or suspends on an
   * event wait: what it writes depends on pending events, which this cache does not keep), or
   * when the commits would conflict with what it remembers.
   */
  predict(commits: readonly Commit[]): Prediction | undefined {
    if (commits.some(needsInbox)) return undefined;
    const fresh = new Set<string>();
    const seen = new Set<string>();
    for (const { executionId, expectedSeq } of commits) {
      if (!seen.has(executionId) && expectedSeq === 0 && !this.#known.has(executionId)) fresh.add(executionId);
      seen.add(executionId);
    }
    try {
      const result = foldCommits(commits, (id) => this.#known.get(id) ?? (fresh.has(id) ? undefined : "unknown"));
      return result.kind === "done" ? { written: result.written, inputs: result.inputs } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Remembers summaries a committed transaction wrote or read: finished ones are dropped. */
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
