import { unwrap, type IDBPDatabase } from "idb";
import { ExecutionNotFoundError, FluxError, StoreError, UsageError } from "../../src/errors.js";
import { dueSize } from "../../src/due-order.js";
import { decodeCursor, encodeCursor, pageSize } from "../../src/list-cursor.js";
import type {
  CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "../../src/state-store.js";
import { commitTransaction } from "./idb-commit.js";
import { idbCommitError, messageOf } from "./idb-errors.js";
import { deliverEvent, pendingEvents, requestCancellation } from "./idb-inbox.js";
import { takeLease } from "./idb-lease.js";
import { dueSummaries } from "./idb-due.js";
import { listSummaries } from "./idb-list.js";
import { SummaryCache } from "./summary-cache.js";
import { eventsOf } from "./event-records.js";
import type { FluxDbSchema } from "./idb-schema.js";

/**
 * A {@link StateStore} in the browser's IndexedDB, through `idb`: durable across reloads, tab
 * closes and browser restarts, shared by every tab of the origin.
 *
 * - Each commit or `commitBatch` is ONE readwrite transaction over `events` and `executions`,
 *   with `durability: "strict"`: it resolves once the browser reports the transaction complete
 *   after flushing it to disk, so a resolved commit survives a browser crash or power cut. A
 *   transaction that did not complete leaves nothing.
 * - Optimistic concurrency: the transaction reads each execution's summary and aborts with
 *   `ConflictError` (nothing written) when its event count is not `expectedSeq` or another
 *   owner holds a live lease; events are written with `add`, so an existing [executionId, id]
 *   key aborts it too. IndexedDB runs readwrite transactions over the same stores one at a
 *   time, across tabs: two tabs cannot both win. The same transaction writes the summaries as
 *   the reference does, a suspension's finished child and a finished child's paused parent
 *   included (see `commitTransaction` for its round trips).
 * - A commit refused because the execution's cancellation was asked for (and its events do not
 *   end it) rejects with `CancelRequestedError`; a commit's `consumes` are marked in the same
 *   transaction, which a seq that is not pending aborts (`ConflictError`).
 * - `due` reads the `byWake` index only; `lease` and `requestCancel` are one readwrite
 *   transaction on the summary; `deliver` one over the inbox and the summary; `pending` reads
 *   the inbox's `pending` index only.
 * - A database of a newer version, or with object stores that are not ours, is refused with a
 *   `StoreError` naming it and is not modified. When another tab opens the database at a newer
 *   version, this connection closes to let it upgrade; its later calls reject with `StoreError`.
 *
 * @example
 * const store = await openIdbStore("flux");
 */
export class IdbStore implements StateStore {
  /** The IndexedDB database's name. */
  readonly name: string;
  /**
   * A commit goes to IndexedDB at once when none is in flight (the browser writes it on another
   * thread; the commits asked for meanwhile go together next): see `StateStore.groupCommit`.
   */
  readonly groupCommit = "in-flight";
  readonly #db: IDBPDatabase<FluxDbSchema>;
  readonly #summaries = new SummaryCache();
  #closed: string | undefined;

  /**
   * Wraps an open connection; use {@link openIdbStore}. The store closes itself when another tab
   * asks for a newer version (`versionchange`) or the browser closes the connection.
   */
  constructor(db: IDBPDatabase<FluxDbSchema>, name: string) {
    this.#db = db;
    this.name = name;
    const raw = unwrap(db);
    raw.addEventListener("versionchange", () => this.#markClosed("another tab opened it at a newer version: reload this page"));
    raw.addEventListener("close", () => this.#markClosed("the browser closed it unexpectedly"));
  }

  async commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions): Promise<void> {
    return this.commitBatch([{ ...options, executionId, events }]);
  }

  async commitBatch(commits: readonly Commit[]): Promise<void> {
    this.#assertOpen();
    for (const commit of commits) validate(commit);
    if (commits.length === 0) return;
    try {
      // A wrong prediction (another tab wrote meanwhile) wrote nothing: once more, reading first.
      if ((await commitTransaction(this.#db, commits, this.#summaries, true)) === "mispredicted") {
        await commitTransaction(this.#db, commits, this.#summaries, false);
      }
    } catch (error) {
      throw await idbCommitError(this.#db, this.name, error, commits);
    }
  }

  async load(executionId: string, page: LoadPage = {}): Promise<StoredEvent[]> {
    const from = Math.max(0, page.from ?? 0);
    const records = await this.#read(`loading execution ${executionId}`, async (db) => {
      const tx = db.transaction("events");
      // A commit's events may be one record keyed by its first id: start at the record holding `from`.
      const holder = from === 0 ? null : await tx.store.openKeyCursor(IDBKeyRange.bound([executionId, 0], [executionId, from]), "prev");
      const start = holder === null ? from : (holder.key as [string, number])[1];
      return tx.store.getAll(IDBKeyRange.bound([executionId, start], [executionId, Infinity]), page.limit);
    });
    return eventsOf(records, from, page.limit);
  }

  async get(executionId: string): Promise<ExecutionSummary | undefined> {
    return this.#read(`reading execution ${executionId}`, (db) => db.get("executions", executionId));
  }

  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    this.#assertOpen();
    const limit = pageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const found = await this.#read("listing executions", (db) =>
      listSummaries(db, { workflow: options.workflow, state: options.state, after, limit: limit + 1 }));
    const executions = found.slice(0, limit);
    const last = executions[executions.length - 1];
    return found.length > limit && last !== undefined ? { executions, nextCursor: encodeCursor(last) } : { executions };
  }

  async due(options: DueOptions): Promise<ExecutionSummary[]> {
    return this.#read("finding due executions", (db) =>
      dueSummaries(db, { until: options.until, limit: dueSize(options.limit), workflows: options.workflows }));
  }

  async getCached(key: string): Promise<string | undefined> {
    return this.#read(`reading cache key ${JSON.stringify(key)}`, (db) => db.get("cache", key));
  }

  async setCached(key: string, value: string): Promise<void> {
    await this.#read(`writing cache key ${JSON.stringify(key)}`, async (db) => {
      const tx = db.transaction("cache", "readwrite", { durability: "strict" });
      await Promise.all([tx.store.put(value, key), tx.done]);
    });
  }

  async deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
    const delivered = await this.#read(`sending the event "${event.name}" to execution ${executionId}`, (db) => deliverEvent(db, this.name, executionId, event));
    this.#summaries.remember([delivered.summary]);
    return delivered.event;
  }

  async pending(executionId: string): Promise<InboxEvent[]> {
    return this.#read(`reading the inbox of execution ${executionId}`, (db) => pendingEvents(db, executionId));
  }

  async requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
    const summary = await this.#read(`asking for the cancellation of execution ${executionId}`, (db) => requestCancellation(db, executionId, request));
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the IndexedDB database "${this.name}" to cancel: check the execution id`);
    this.#summaries.remember([summary]);
    return summary;
  }

  /**
   * Takes, renews or gives up the lease of an execution (see `StateStore.lease`) in one
   * readwrite transaction on its summary (`takeLease`): of two concurrent takers of a free lease
   * (in any tabs) exactly one gets it. Resolves with the cancellation asked for too. Rejects
   * with `ExecutionNotFoundError` for an unknown execution.
   */
  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease & { readonly cancel?: CancelRequest }> {
    const summary = await this.#read(`taking the lease of execution ${executionId}`, (db) => takeLease(db, executionId, owner, times));
    if (summary?.lease === undefined) {
      throw new ExecutionNotFoundError(`no execution ${executionId} in the IndexedDB database "${this.name}" to lease: start it (commit its first events) first`);
    }
    this.#summaries.remember([summary]);
    return { ...summary.lease, ...(summary.cancel === undefined ? {} : { cancel: summary.cancel }) };
  }

  /** Closes the connection (after its pending transactions). Closing twice is harmless. */
  async close(): Promise<void> {
    this.#markClosed("it was closed");
  }

  /** Marks the store closed for `reason` and closes the connection. */
  #markClosed(reason: string): void {
    if (this.#closed !== undefined) return;
    this.#closed = reason;
    this.#db.close();
  }

  async #read<T>(doing: string, read: (db: IDBPDatabase<FluxDbSchema>) => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await read(this.#db);
    } catch (error) {
      if (error instanceof FluxError) throw error;
      throw new StoreError(`${doing} in the IndexedDB database "${this.name}" failed: ${messageOf(error)}`, { cause: error });
    }
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) {
      throw new StoreError(`the IndexedDB store "${this.name}" is closed (${this.#closed}): open it again with openIdbStore`);
    }
  }
}

function validate({ executionId, events, expectedSeq }: Commit): void {
  if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0) {
    throw new UsageError(`invalid expectedSeq ${expectedSeq} for execution ${executionId}: give the log's length, a whole number`);
  }
  events.forEach((event, i) => {
    if (event.id !== expectedSeq + i) {
      throw new UsageError(`event ${i} of the commit to execution ${executionId} has id ${event.id}, not ${expectedSeq + i}: ids must continue the log`);
    }
  });
}
