import type { IDBPDatabase } from "idb";
import { CancelRequestedError, ConflictError, StoreError, UsageError } from "../../src/errors.js";
import type { Commit } from "../../src/state-store.js";
import { explainConflict } from "./idb-commit.js";
import type { FluxDbSchema } from "./idb-schema.js";

/**
 * The error a failed commit to the IndexedDB database `name` rejects with: its `ConflictError`,
 * `CancelRequestedError` or `UsageError` as is; a duplicate event key (which aborts the
 * transaction before the conflict check) as the error the check would have raised
 * (`explainConflict`, reading `db` again), or a `ConflictError` naming every execution of the
 * batch when the summaries moved on again; anything else as a `StoreError` naming the database.
 */
export async function idbCommitError(db: IDBPDatabase<FluxDbSchema>, name: string, error: unknown, commits: readonly Commit[]): Promise<Error> {
  if (error instanceof ConflictError || error instanceof CancelRequestedError || error instanceof UsageError) return error;
  if (isDomError(error, "ConstraintError")) {
    const explained = await explainConflict(db, commits).catch(() => undefined);
    if (explained instanceof CancelRequestedError) return new CancelRequestedError(explained.message, { cause: error });
    if (explained !== undefined) return new ConflictError(explained.message, { cause: error });
    const ids = [...new Set(commits.map((commit) => commit.executionId))];
    return new ConflictError(`an event of execution ${ids.join(" or ")} already exists: another runner wrote to it`, { cause: error });
  }
  return new StoreError(`a commit to the IndexedDB database "${name}" failed: ${messageOf(error)}`, { cause: error });
}

/** True when `error` is a `DOMException` (or anything shaped like one) named `name`, e.g. `ConstraintError`. */
export function isDomError(error: unknown, name: string): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === name;
}

/** The message of an unknown thrown value (its `message` when it is an `Error`). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
