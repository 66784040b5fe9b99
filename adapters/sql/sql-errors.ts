import { ConflictError, StoreError } from "../../src/errors.js";
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
 * The {@link ConflictError} for a refused batch, named as the memory store names it. `summaries`
 * are the rows of the batch's executions read after the refusal (absent: unknown execution); the
 * batch is replayed on them, commit by commit as `commitConflict` and `nextSummary` see it, and
 * the first commit that finds the log's length wrong, or another owner's live lease, is named
 * with the reason. When none can be pinned down (the rows moved on again meanwhile), every
 * execution of the batch is named.
 */
export function conflictError(
  commits: readonly Commit[],
  summaries: ReadonlyMap<string, ExecutionSummary> | undefined,
  cause: unknown,
): ConflictError {
  if (summaries !== undefined) {
    const current = new Map(summaries);
    for (const commit of commits) {
      const summary = current.get(commit.executionId);
      const conflict = commitConflict(commit, summary?.events ?? 0, summary);
      if (conflict !== undefined) return new ConflictError(conflict.message, { cause });
      if (commit.events.length > 0) current.set(commit.executionId, nextSummary(summary, commit));
    }
  }
  const ids = [...new Set(commits.map((commit) => commit.executionId))];
  return new ConflictError(
    `the log of execution ${ids.join(" or ")} did not hold the expected number of events, or another runner holds its lease: another runner wrote to it`,
    { cause },
  );
}

/** A driver failure that is not a conflict, as a {@link StoreError} naming the database. */
export function storeError(description: string, doing: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`${doing} in ${description} failed: ${messageOf(error)}`, { cause: error });
}
