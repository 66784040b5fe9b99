import type { IDBPDatabase } from "idb";
import { waitedChildren } from "../../src/execution-summary.js";
import type { Commit, ExecutionSummary } from "../../src/state-store.js";
import { ConflictError } from "../../src/errors.js";
import { foldCommits, sameSummary, type FoldResult } from "./commit-fold.js";
import type { FluxDbSchema } from "./idb-schema.js";
import type { SummaryCache } from "./summary-cache.js";

const ignore = () => undefined;

/** What {@link commitTransaction} did: committed, or found its prediction wrong and wrote nothing. */
export type CommitOutcome = "committed" | "mispredicted";

/**
 * Runs `commits` as ONE readwrite transaction over `events` and `executions` with
 * `durability: "strict"`, resolving once the browser reports it complete. All or nothing.
 *
 * Round trips: the event adds and the reads of every summary the commits need (their
 * executions, the children a suspension waits on, the parents a first commit names) go out
 * together. The summaries are then folded as the reference does (`foldCommits`): a conflict
 * throws `ConflictError` and aborts everything; a finishing execution whose parent was not read
 * yet costs one more round of reads. The new summaries are written after the fold, except when
 * `predict` is set and `cache` knows every summary the commits rest on: then they go out with
 * the first round (one round trip for a step), and if any summary read differs from the one
 * the prediction used, the transaction is aborted and `"mispredicted"` returned (nothing
 * written): make the commit again without prediction.
 *
 * Rejects with the fold's `ConflictError`, or with the IndexedDB error that aborted the
 * transaction (a duplicate event key is a `ConstraintError`); the caller names them.
 */
export async function commitTransaction(
  db: IDBPDatabase<FluxDbSchema>,
  commits: readonly Commit[],
  cache: SummaryCache,
  predict: boolean,
): Promise<CommitOutcome> {
  const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" });
  tx.done.catch(ignore);
  const requests: Promise<unknown>[] = [];
  const executions = tx.objectStore("executions");
  const reads = new Map<string, Promise<ExecutionSummary | undefined>>();
  const read = (ids: Iterable<string>) => {
    for (const id of ids) {
      if (reads.has(id)) continue;
      const summary = executions.get(id);
      summary.catch(ignore); // awaited below unless the transaction aborts first
      reads.set(id, summary);
    }
  };
  try {
    for (const { executionId, events } of commits) {
      for (const event of events) {
        const add = tx.objectStore("events").add({ ...event, executionId });
        add.catch(ignore); // observed below (Promise.all / allSettled); not an unhandled rejection meanwhile
        requests.push(add);
      }
    }
    read(commits.map((commit) => commit.executionId));
    read(commits.flatMap((commit) => [...waitedChildren(commit), ...(commit.parentId === undefined ? [] : [commit.parentId])]));
    const prediction = predict ? cache.predict(commits) : undefined;
    if (prediction !== undefined) {
      read(prediction.inputs.keys());
      for (const summary of prediction.written.values()) requests.push(executions.put(summary));
    }
    const found = new Map<string, ExecutionSummary | undefined>();
    let fold: FoldResult;
    do {
      for (const [id, summary] of reads) if (!found.has(id)) found.set(id, await summary);
      fold = foldCommits(commits, (id) => (found.has(id) ? found.get(id) : "unknown"));
      if (fold.kind === "missing") read(fold.ids);
    } while (fold.kind === "missing");
    if (prediction !== undefined && ![...prediction.inputs].every(([id, summary]) => sameSummary(found.get(id), summary))) {
      abort(tx);
      await Promise.allSettled(requests);
      cache.forget(commits.map((commit) => commit.executionId));
      return "mispredicted";
    }
    if (prediction === undefined) for (const summary of fold.written.values()) requests.push(executions.put(summary));
    await Promise.all(requests);
    await tx.done;
    cache.remember([...[...found.values()].filter((s): s is ExecutionSummary => s !== undefined && !fold.written.has(s.executionId)), ...fold.written.values()]);
    return "committed";
  } catch (error) {
    cache.forget(commits.map((commit) => commit.executionId));
    abort(tx);
    // A duplicate key fails its add and aborts the transaction before the fold runs: the abort
    // is what the caller saw, the ConstraintError is why.
    const settled = await Promise.allSettled(requests);
    const constraint = settled.find((r): r is PromiseRejectedResult => r.status === "rejected" && (r.reason as { name?: unknown })?.name === "ConstraintError");
    throw error instanceof ConflictError || constraint === undefined ? error : constraint.reason;
  }
}

function abort(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // The transaction already aborted (a failed add) or finished.
  }
}

/**
 * The `ConflictError` the reference store would throw for `commits`, found by folding them over
 * the summaries as they stand now (one readonly transaction, a round of reads per missing
 * parent); `undefined` when they would land now (the conflict that refused them is gone).
 * For a batch refused by a duplicate event key, which aborts the transaction before its fold.
 */
export async function explainConflict(db: IDBPDatabase<FluxDbSchema>, commits: readonly Commit[]): Promise<ConflictError | undefined> {
  const store = db.transaction("executions", "readonly").store;
  const found = new Map<string, ExecutionSummary | undefined>();
  let ids = [...new Set(commits.flatMap((commit) => [commit.executionId, ...waitedChildren(commit)]))];
  try {
    for (;;) {
      const summaries = await Promise.all(ids.map((id) => store.get(id)));
      ids.forEach((id, i) => found.set(id, summaries[i]));
      const fold = foldCommits(commits, (id) => (found.has(id) ? found.get(id) : "unknown"));
      if (fold.kind === "done") return undefined;
      ids = fold.ids;
    }
  } catch (error) {
    if (error instanceof ConflictError) return error;
    throw error;
  }
}
