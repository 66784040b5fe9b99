import { unwrap, type IDBPDatabase, type StoreNames } from "idb";
import { waitedChildren } from "../../src/execution-summary.js";
import type { Commit, ExecutionSummary } from "../../src/state-store.js";
import { CancelRequestedError, ConflictError, FluxError } from "../../src/errors.js";
import { foldCommits, needsInbox, sameSummary, type FoldResult } from "./commit-fold.js";
import { eventsRecord } from "./event-records.js";
import { pendingRange, type FluxDbSchema, type InboxRecord } from "./idb-schema.js";
import type { SummaryCache } from "./summary-cache.js";

const ignore = () => undefined;

/** What {@link commitTransaction} did: committed, or found its prediction wrong and wrote nothing. */
export type CommitOutcome = "committed" | "mispredicted";

/**
 * Runs `commits` as ONE readwrite transaction over `events` and `executions` (and `inbox` when
 * a commit consumes inbox events or suspends on an event wait) with `durability: "strict"`,
 * resolving once the browser reports it complete. All or nothing.
 *
 * Round trips: the reads of every summary the commits need (their executions, the children a
 * suspension waits on, the parents a first commit names), of the pending inbox events of the
 * executions that need them, and the event adds go out together, reads first (each commit's
 * events as one record: `eventsRecord`). The summaries are
 * then folded as the reference does (`foldCommits`): a conflict throws `ConflictError` (a
 * cancellation asked for, `CancelRequestedError`) and aborts everything; a finishing execution
 * whose parent was not read yet costs one more round of reads. The new summaries (and the
 * consumed inbox events) are written after the fold, except when `predict` is set and `cache`
 * knows every summary the commits rest on (never for commits that need the inbox): then they go
 * out with the first round (one round trip for a step), and if any summary read differs from
 * the one the prediction used, the transaction is aborted and `"mispredicted"` returned
 * (nothing written): make the commit again without prediction. Once the check passed and every
 * write is issued, the transaction is committed explicitly (`IDBTransaction.commit`), so the
 * browser need not send the results of the writes back before it commits.
 *
 * On the plain IndexedDB API, not `idb`'s promise per request: the writes are not awaited one
 * by one (a failed write aborts the transaction, which is what is awaited), and a step costs
 * one promise for its summary read and one for the transaction.
 *
 * Rejects with the fold's `ConflictError` or `CancelRequestedError`, or with the IndexedDB error
 * that aborted the transaction (a duplicate event key is a `ConstraintError`); the caller names them.
 */
export async function commitTransaction(
  db: IDBPDatabase<FluxDbSchema>,
  commits: readonly Commit[],
  cache: SummaryCache,
  predict: boolean,
): Promise<CommitOutcome> {
  const inboxIds = [...new Set(commits.filter(needsInbox).map((commit) => commit.executionId))];
  const scope: StoreNames<FluxDbSchema>[] = inboxIds.length > 0 ? ["events", "executions", "inbox"] : ["events", "executions"];
  const tx = unwrap(db).transaction(scope, "readwrite", { durability: "strict" });
  const done = settled(tx);
  const executions = tx.objectStore("executions");
  const events = tx.objectStore("events");
  const reads = new Map<string, Promise<ExecutionSummary | undefined>>();
  const read = (ids: Iterable<string>) => {
    for (const id of ids) if (!reads.has(id)) reads.set(id, result<ExecutionSummary | undefined>(executions.get(id)));
  };
  try {
    read(commits.map((commit) => commit.executionId));
    read(commits.flatMap((commit) => [...waitedChildren(commit), ...(commit.parentId === undefined ? [] : [commit.parentId])]));
    const inbox = readInboxes(tx, inboxIds);
    for (const { executionId, events: added } of commits) if (added.length > 0) events.add(eventsRecord(executionId, added));
    const prediction = predict && inboxIds.length === 0 ? cache.predict(commits) : undefined;
    if (prediction !== undefined) {
      read(prediction.inputs.keys());
      for (const summary of prediction.written.values()) executions.put(summary);
    }
    const pending = new Map<string, InboxRecord[]>();
    for (const [id, records] of inbox) pending.set(id, await records);
    const found = new Map<string, ExecutionSummary | undefined>();
    let fold: FoldResult;
    do {
      for (const [id, summary] of reads) if (!found.has(id)) found.set(id, await summary);
      fold = foldCommits(commits, (id) => (found.has(id) ? found.get(id) : "unknown"), (id) => pending.get(id));
      if (fold.kind === "missing") read(fold.ids);
    } while (fold.kind === "missing");
    if (prediction !== undefined && ![...prediction.inputs].every(([id, summary]) => sameSummary(found.get(id), summary))) {
      abort(tx);
      await done.catch(ignore);
      cache.forget(commits.map((commit) => commit.executionId));
      return "mispredicted";
    }
    if (prediction === undefined) for (const summary of fold.written.values()) executions.put(summary);
    for (const [id, seqs] of fold.consumed) {
      for (const record of pending.get(id) ?? []) {
        if (!seqs.includes(record.seq)) continue;
        const { pending: _, ...consumedRecord } = record;
        tx.objectStore("inbox").put(consumedRecord);
      }
    }
    // Where IDBTransaction.commit is missing (before Chrome 76, Firefox 74, Safari 15), the
    // transaction commits by itself once its requests are done.
    if (typeof tx.commit === "function") tx.commit();
    await done;
    cache.remember([...[...found.values()].filter((s): s is ExecutionSummary => s !== undefined && !fold.written.has(s.executionId)), ...fold.written.values()]);
    return "committed";
  } catch (error) {
    cache.forget(commits.map((commit) => commit.executionId));
    abort(tx);
    // A duplicate key fails its add and aborts the transaction before the fold runs: the abort
    // is what the caller saw, the ConstraintError (the transaction's error) is why.
    const reason = await done.then(() => undefined, (aborted: unknown) => aborted);
    throw error instanceof FluxError || !isConstraintError(reason) ? error : reason;
  }
}

/**
 * A promise of `tx`'s end: resolves when it completes, rejects with its error (the failed
 * request's, e.g. a `ConstraintError`) or an `AbortError` when it aborts. Never unhandled.
 */
function settled(tx: IDBTransaction): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException("the transaction was aborted", "AbortError"));
  });
  done.catch(ignore); // awaited by the caller; not an unhandled rejection before then
  return done;
}

/** The result of `request` as a promise (rejected with its error); never an unhandled rejection. */
function result<T>(request: IDBRequest): Promise<T> {
  const promise = new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
  promise.catch(ignore); // awaited by the caller unless the transaction aborts first
  return promise;
}

function isConstraintError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "ConstraintError";
}

/** Reads the pending inbox events of `executionIds` in `tx` (whose scope has `inbox` when there are any), all at once. */
function readInboxes(tx: IDBTransaction, executionIds: readonly string[]): Map<string, Promise<InboxRecord[]>> {
  const reads = new Map<string, Promise<InboxRecord[]>>();
  for (const id of executionIds) reads.set(id, result<InboxRecord[]>(tx.objectStore("inbox").index("pending").getAll(pendingRange(id))));
  return reads;
}

function abort(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // The transaction already aborted (a failed add) or finished.
  }
}

/**
 * The `ConflictError` (or `CancelRequestedError`) the reference store would throw for
 * `commits`, found by folding them over the summaries and inboxes as they stand now (one
 * readonly transaction, a round of reads per missing parent); `undefined` when they would land
 * now (the conflict that refused them is gone). For a batch refused by a duplicate event key,
 * which aborts the transaction before its fold.
 */
export async function explainConflict(db: IDBPDatabase<FluxDbSchema>, commits: readonly Commit[]): Promise<ConflictError | CancelRequestedError | undefined> {
  const inboxIds = [...new Set(commits.filter(needsInbox).map((commit) => commit.executionId))];
  const tx = db.transaction(inboxIds.length > 0 ? ["executions", "inbox"] : ["executions"], "readonly");
  const store = tx.objectStore("executions");
  const inbox = readInboxes(unwrap(tx), inboxIds);
  const found = new Map<string, ExecutionSummary | undefined>();
  let ids = [...new Set(commits.flatMap((commit) => [commit.executionId, ...waitedChildren(commit)]))];
  try {
    const pending = new Map<string, InboxRecord[]>();
    for (const [id, records] of inbox) pending.set(id, await records);
    for (;;) {
      const summaries = await Promise.all(ids.map((id) => store.get(id)));
      ids.forEach((id, i) => found.set(id, summaries[i]));
      const fold = foldCommits(commits, (id) => (found.has(id) ? found.get(id) : "unknown"), (id) => pending.get(id));
      if (fold.kind === "done") return undefined;
      ids = fold.ids;
    }
  } catch (error) {
    if (error instanceof ConflictError || error instanceof CancelRequestedError) return error;
    throw error;
  }
}
