import { ExecutionFinishedError, ExecutionNotFoundError, StoreError } from "../../src/errors.js";
import { dueSize } from "../../src/due-order.js";
import { decodeCursor, encodeCursor, pageSize } from "../../src/list-cursor.js";
import { rateRetryAt, type Queue } from "../../src/queue.js";
import type {
  Admission, AdmitOptions, CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "../../src/state-store.js";
import { commitStatements } from "./sql-commit.js";
import type { SqlDriver } from "./sql-driver.js";
import { conflictError, isConstraintViolation, storeError } from "./sql-errors.js";
import {
  cancelFromRow, deliverRefusal, deliverStatements, inboxEventFromRow, pendingSeqsStatement, pendingStatement, requestCancelStatements,
} from "./sql-inbox.js";
import { ensureSchema, type EnsureSchemaOptions } from "./sql-migrate.js";
import { admitStatements, rateWindowStatement } from "./sql-queue.js";
import {
  dueStatement, eventFromRow, getCachedStatement, getLeaseStatement, getStatement, leaseFromRow, listStatement, loadStatement,
  setCachedStatement, summariesStatements, summaryFromRow, takeLeaseStatement,
} from "./sql-statements.js";

/** Options of {@link SqlStore}. */
export interface SqlStoreOptions extends EnsureSchemaOptions {}

/**
 * The {@link StateStore} over any SQLite-family database, through a {@link SqlDriver}. The SQLite
 * (better-sqlite3), sql.js and D1 stores are this class with their driver.
 *
 * - Every commit or `commitBatch` is one atomic driver batch with no read before it: all of it
 *   lands or none does. A commit whose `expectedSeq` is not the log's length (too low or too
 *   high), or whose lease claim meets another owner's live lease, is refused by a constraint
 *   inside that batch and rejects with `ConflictError` naming the execution and the reason;
 *   nothing of the batch is written. Two writers on one execution, in one process or in many,
 *   cannot both win. The same batch keeps the summary row (state, lease, waits, wake time) as
 *   `nextSummary` does, and wakes a paused parent when a child finishes (see `commitStatements`).
 * - A commit refused because the execution's cancellation was asked for (and its events do not
 *   end it) rejects with `CancelRequestedError`, by the same constraint; a commit's `consumes`
 *   are marked in the same batch, which a seq that is not pending refuses (`ConflictError`).
 * - `due` is one range scan of the partial index on the wake time; `lease` one batch of a
 *   conditional write on the summary row and a read of it; `deliver` and `requestCancel` one
 *   batch each (see them); `pending` one read of the partial index of pending inbox events.
 * - The schema is checked, and migrated, once, before the first operation ({@link ready}); a
 *   foreign, corrupt or newer database is refused untouched with a `StoreError`.
 * - Other driver failures reject with `StoreError` naming the database; after {@link close},
 *   every call rejects with `StoreError`.
 *
 * @example
 * const store = await new SqlStore(myDriver).ready();
 * await store.commit("exec-1", events, { expectedSeq: 0 });
 */
export class SqlStore implements StateStore {
  readonly #driver: SqlDriver;
  readonly #options: SqlStoreOptions;
  #schema: Promise<void> | undefined;
  #closed = false;

  constructor(driver: SqlDriver, options: SqlStoreOptions = {}) {
    this.#driver = driver;
    this.#options = options;
  }

  /** What the database is (file path, binding), as error messages name it. */
  get description(): string {
    return this.#driver.description;
  }

  /**
   * Checks and migrates the schema if that was not done yet, and resolves to this store. Every
   * other method does this first; call it to learn at once that a database cannot be used.
   * A failed check is retried by the next call.
   */
  async ready(): Promise<this> {
    this.#assertOpen();
    this.#schema ??= ensureSchema(this.#driver, this.#options).catch((error: unknown) => {
      this.#schema = undefined;
      throw error;
    });
    await this.#schema;
    return this;
  }

  async commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions): Promise<void> {
    return this.commitBatch([{ ...options, executionId, events }]);
  }

  async commitBatch(commits: readonly Commit[]): Promise<void> {
    await this.ready();
    if (commits.length === 0) return;
    const statements = commitStatements(commits);
    try {
      await this.#driver.batch(statements);
    } catch (error) {
      if (!isConstraintViolation(error)) throw storeError(this.description, "a commit", error);
      const [summaries, pending] = await this.#afterRefusal(commits);
      throw conflictError(commits, summaries, error, pending);
    }
  }

  async load(executionId: string, page: LoadPage = {}): Promise<StoredEvent[]> {
    const doing = `loading execution ${executionId}`;
    const statement = loadStatement(executionId, Math.max(0, page.from ?? 0), page.limit ?? -1);
    if (this.#driver.mapRows === undefined) return (await this.#all(statement, doing)).map(eventFromRow);
    // A long log is mapped row by row: its raw rows are never all in memory at once.
    await this.ready();
    try {
      return await this.#driver.mapRows(statement, eventFromRow);
    } catch (error) {
      throw storeError(this.description, doing, error);
    }
  }

  async get(executionId: string): Promise<ExecutionSummary | undefined> {
    const rows = await this.#all(getStatement(executionId), `reading execution ${executionId}`);
    return rows[0] === undefined ? undefined : summaryFromRow(rows[0]);
  }

  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    const limit = pageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const rows = await this.#all(
      listStatement({ workflow: options.workflow, state: options.state, after, limit: limit + 1 }),
      "listing executions",
    );
    const executions = rows.slice(0, limit).map(summaryFromRow);
    const last = executions[executions.length - 1];
    return rows.length > limit && last !== undefined ? { executions, nextCursor: encodeCursor(last) } : { executions };
  }

  async due(options: DueOptions): Promise<ExecutionSummary[]> {
    if (options.workflows !== undefined && options.workflows.length === 0) {
      await this.ready();
      return [];
    }
    const statement = dueStatement({ until: options.until, limit: dueSize(options.limit), workflows: options.workflows });
    return (await this.#all(statement, "finding due executions")).map(summaryFromRow);
  }

  async getCached(key: string): Promise<string | undefined> {
    const rows = await this.#all(getCachedStatement(key), `reading cache key ${JSON.stringify(key)}`);
    const value = rows[0]?.value;
    return value === undefined ? undefined : String(value);
  }

  async setCached(key: string, value: string): Promise<void> {
    await this.ready();
    try {
      await this.#driver.batch([setCachedStatement(key, value)]);
    } catch (error) {
      throw storeError(this.description, `writing cache key ${JSON.stringify(key)}`, error);
    }
  }

  /**
   * Appends `event` to the execution's inbox (see `StateStore.deliver`) in ONE atomic batch:
   * the wake of a paused execution waiting on an event of that name, and the append with the
   * next seq, computed in the batch (so two deliveries never take the same seq) and returned by
   * it. An unknown or ended execution fails the append by two different constraints, so the
   * refusal (`ExecutionNotFoundError`, `ExecutionFinishedError`) needs no read and writes nothing.
   */
  async deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
    await this.ready();
    let rows;
    try {
      rows = await this.#driver.batch(deliverStatements(executionId, event));
    } catch (error) {
      const refusal = isConstraintViolation(error) ? deliverRefusal(error) : undefined;
      if (refusal === "unknown") {
        throw new ExecutionNotFoundError(`no execution ${executionId} in ${this.description} to send the event "${event.name}" to: check the execution id`, { cause: error });
      }
      if (refusal === "ended") {
        throw new ExecutionFinishedError(`execution ${executionId} in ${this.description} has ended: the event "${event.name}" has nothing to reach`, { cause: error });
      }
      throw storeError(this.description, `sending the event "${event.name}" to execution ${executionId}`, error);
    }
    const seq = rows[0]?.seq;
    if (typeof seq !== "number" && typeof seq !== "bigint") {
      throw new StoreError(`sending an event to execution ${executionId}: the driver of ${this.description} returned no seq from its batch (a SqlDriver's batch must resolve to its last statement's rows)`);
    }
    return { seq: Number(seq), name: event.name, payload: event.payload, time: event.time };
  }

  async pending(executionId: string): Promise<InboxEvent[]> {
    return (await this.#all(pendingStatement(executionId), `reading the inbox of execution ${executionId}`)).map(inboxEventFromRow);
  }

  /**
   * Asks for the execution's cancellation (see `StateStore.requestCancel`) in ONE atomic batch:
   * a conditional write on its summary row (an earlier request kept, a paused execution made
   * due, an ended one left alone), then a read of the row as it left it.
   */
  async requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
    await this.ready();
    let rows;
    try {
      rows = await this.#driver.batch(requestCancelStatements(executionId, request, getStatement(executionId)));
    } catch (error) {
      throw storeError(this.description, `asking for the cancellation of execution ${executionId}`, error);
    }
    if (rows[0] === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in ${this.description} to cancel: check the execution id`);
    return summaryFromRow(rows[0]);
  }

  /**
   * Takes, renews or gives up the lease of an execution (see `StateStore.lease`) in ONE atomic
   * batch: a conditional write on its summary row (which also moves a running execution's wake
   * time), so of two concurrent takers of a free lease exactly one gets it, then a read of the
   * lease as it stands, with the cancellation asked for. Rejects with `ExecutionNotFoundError`
   * for an unknown execution.
   */
  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease & { readonly cancel?: CancelRequest }> {
    await this.ready();
    let rows;
    try {
      rows = await this.#driver.batch([takeLeaseStatement(executionId, owner, times.now, times.expiresAt), getLeaseStatement(executionId)]);
    } catch (error) {
      throw storeError(this.description, `taking the lease of execution ${executionId}`, error);
    }
    const [row] = rows;
    if (row === undefined) {
      throw new ExecutionNotFoundError(`no execution ${executionId} in ${this.description} to lease: start it (commit its first events) first`);
    }
    const lease = leaseFromRow(row);
    // The write leaves a lease whenever it finds none: a row without one is not what it wrote.
    if (lease === undefined) throw new StoreError(`the lease of execution ${executionId} in ${this.description} was not there after it was taken: the driver's batch did not read its own write`);
    const cancel = cancelFromRow(row);
    return cancel === undefined ? lease : { ...lease, cancel };
  }

  /**
   * Admits queued executions of `queue` (see `StateStore.admit`) with ONE statement in one
   * batch: it counts the slots held, the runner's, and the rate window, and admits the oldest
   * waiting by the room left, so no two admissions, in any process, ever interleave. On a queue
   * with a rate, one more read says when the window lets the next one in.
   */
  async admit(queue: Queue, options: AdmitOptions): Promise<Admission> {
    await this.ready();
    const doing = `admitting executions of queue "${queue.name}"`;
    if (options.workflows !== undefined && options.workflows.length === 0) return { admitted: [] };
    let rows;
    try {
      rows = await this.#driver.batch(admitStatements(queue, options));
    } catch (error) {
      throw storeError(this.description, doing, error);
    }
    const admitted = [...rows].sort((a, b) => Number(a.queue_seq) - Number(b.queue_seq)).map(summaryFromRow);
    if (queue.rate === undefined) return { admitted };
    const [window] = await this.#all(rateWindowStatement(queue, options.now), doing);
    if (window === undefined || !Number(window.waiting) || window.oldest == null) return { admitted };
    const retryAt = rateRetryAt(queue, Array.from({ length: Number(window.admitted) }, () => Number(window.oldest)));
    return retryAt === undefined ? { admitted } : { admitted, retryAt };
  }

  /** Closes the connection once the schema check (if running) settles. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#schema?.catch(() => undefined);
    await this.#driver.close();
  }

  async #all(statement: Parameters<SqlDriver["all"]>[0], doing: string) {
    await this.ready();
    try {
      return await this.#driver.all(statement);
    } catch (error) {
      throw storeError(this.description, doing, error);
    }
  }

  /**
   * What a refused batch is explained with: the summaries of its executions and the pending
   * inbox seqs of those whose commits consume (`undefined` summaries when they cannot be read).
   */
  async #afterRefusal(commits: readonly Commit[]): Promise<[Map<string, ExecutionSummary> | undefined, Map<string, number[]>]> {
    const pending = new Map<string, number[]>();
    try {
      const ids = [...new Set(commits.map((commit) => commit.executionId))];
      const summaries = new Map<string, ExecutionSummary>();
      for (const statement of summariesStatements(ids)) {
        for (const row of await this.#driver.all(statement)) summaries.set(String(row.id), summaryFromRow(row));
      }
      const consuming = [...new Set(commits.filter((commit) => (commit.consumes ?? []).length > 0).map((commit) => commit.executionId))];
      if (consuming.length > 0) {
        for (const row of await this.#driver.all(pendingSeqsStatement(consuming))) {
          const id = String(row.execution_id);
          pending.set(id, [...(pending.get(id) ?? []), Number(row.seq)]);
        }
      }
      return [summaries, pending];
    } catch {
      return [undefined, pending];
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError(`the store over ${this.description} is closed: open a new one`);
  }
}
