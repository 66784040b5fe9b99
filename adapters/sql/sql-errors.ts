import { ConflictError, StoreError } from "../../src/errors.js";
import type { Commit } from "../../src/state-store.js";
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
 * The {@link ConflictError} for a refused batch. `lengths` are the event counts read after the
 * refusal; the first commit whose `expectedSeq` does not match is named, as the memory store
 * does. When none can be pinned down (the log moved on again meanwhile), every execution of the
 * batch is named.
 */
export function conflictError(commits: readonly Commit[], lengths: ReadonlyMap<string, number> | undefined, cause: unknown): ConflictError {
  if (lengths !== undefined) {
    const pending = new Map<string, number>();
    for (const { executionId, events, expectedSeq } of commits) {
      const length = pending.get(executionId) ?? lengths.get(executionId) ?? 0;
      if (length !== expectedSeq) {
        return new ConflictError(
          `execution ${executionId} holds ${length} events, not the ${expectedSeq} this commit expected: another runner wrote to it`,
          { cause },
        );
      }
      pending.set(executionId, length + events.length);
    }
  }
  const ids = [...new Set(commits.map((commit) => commit.executionId))];
  return new ConflictError(
    `the log of execution ${ids.join(" or ")} did not hold the expected number of events: another runner wrote to it`,
    { cause },
  );
}

/** A driver failure that is not a conflict, as a {@link StoreError} naming the database. */
export function storeError(description: string, doing: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`${doing} in ${description} failed: ${messageOf(error)}`, { cause: error });
}
