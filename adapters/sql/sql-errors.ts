import { CancelRequestedError, ConflictError, StoreError } from "../../src/errors.js";
import { commitConflict, nextSummary } from "../../src/execution-summary.js";
import type { Commit, ExecutionSummary } from "../../src/state-store.js";
import { messageOf } from "./sql-migrate.js";

/**
 * True when `error` is a SQLite constraint violation as better-sqlite3 (`code`
 * `SQLITE_CONSTRAINT_*`), sql.js ("UNIQUE constraint failed: ...") and D1 ("D1_ERROR: ...
 * SQLITE_CONSTRAINT") report it. In a commit batch, that means another writer got there first.
 */
export function isConstraintViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT")) return true;
  return /constraint failed|SQLITE_CONSTRAINT/i.test(messageOf(error));
}

/**
 * The error of a refused commit batch, named as the memory store names it: a `ConflictError`,
 * or a `CancelRequestedError` when the commit was refused because the execution's cancellation
 * was asked for. `summaries` are the rows of the batch's executions read after the refusal
 * (absent: unknown execution) and `pending` the pending inbox seqs of those whose commits
 * consume; the batch is replayed on them, commit by commit as `commitConflict`, the inbox check
 * and `nextSummary` see it, and the first commit that finds the log's length wrong, another
 * owner's live lease, a cancellation, or an inbox event already consumed is named with the
 * reason. When none can be pinned down (the rows moved on again meanwhile), every execution of
 * the batch is named in a `ConflictError`.
 */
export function conflictError(
  commits: readonly Commit[],
  summaries: ReadonlyMap<string, ExecutionSummary> | undefined,
  cause: unknown,
  pending: ReadonlyMap<string, readonly number[]> = new Map(),
): ConflictError | CancelRequestedError {
  if (summaries !== undefined) {
    const current = new Map(summaries);
    const left = new Map([...pending].map(([id, seqs]) => [id, new Set(seqs)]));
    for (const commit of commits) {
      const summary = current.get(commit.executionId);
      const conflict = commitConflict(commit, summary?.events ?? 0, summary) ?? unconsumable(commit, left);
      if (conflict instanceof CancelRequestedError) return new CancelRequestedError(conflict.message, { cause });
      if (conflict !== undefined) return new ConflictError(conflict.message, { cause });
      if (commit.events.length > 0) current.set(commit.executionId, nextSummary(summary, commit));
    }
  }
  const ids = [...new Set(commits.map((commit) => commit.executionId))];
  return new ConflictError(
    `the log of execution ${ids.join(" or ")} did not hold the expected number of events, or another runner holds its lease or consumed its inbox event: another runner wrote to it`,
    { cause },
  );
}

/** The memory store's inbox check: a `ConflictError` when a seq `commit` consumes is not pending in `left` (which it then updates). */
function unconsumable(commit: Commit, left: Map<string, Set<number>>): ConflictError | undefined {
  const seqs = commit.consumes ?? [];
  if (seqs.length === 0) return undefined;
  const pending = left.get(commit.executionId) ?? new Set<number>();
  const missing = seqs.find((seq) => !pending.has(seq));
  if (missing !== undefined) {
    return new ConflictError(`execution ${commit.executionId}'s inbox event ${missing} is unknown or already consumed: another runner consumed it`);
  }
  for (const seq of seqs) pending.delete(seq);
  left.set(commit.executionId, pending);
  return undefined;
}

/** A driver failure that is not a conflict, as a {@link StoreError} naming the database. */
export function storeError(description: string, doing: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`${doing} in ${description} failed: ${messageOf(error)}`, { cause: error });
}
