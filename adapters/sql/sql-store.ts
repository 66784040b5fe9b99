import { ExecutionNotFoundError, StoreError } from "../../src/errors.js";
import { dueSize } from "../../src/due-order.js";
import { decodeCursor, encodeCursor, pageSize } from "../../src/list-cursor.js";
import type {
  Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "../../src/state-store.js";
import { commitStatements } from "./sql-commit.js";
import type { SqlDriver } from "./sql-driver.js";
import { conflictError, isConstraintViolation, storeError } from "./sql-errors.js";
import { ensureSchema, type EnsureSchemaOptions } from "./sql-migrate.js";
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
 * - `due` is one range scan of the partial index on the wake time; `lease` one conditional
 *   write on the summary row, then a read of it.
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
      throw conflictError(commits, await this.#summaries(commits), error);
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
   * Takes, renews or gives up the lease of an execution (see `StateStore.lease`): one atomic
   * conditional write on its summary row (which also moves a running execution's wake time),
   * so of two concurrent takers of a free lease exactly one gets it, then a read of the lease as
   * it stands. Rejects with `ExecutionNotFoundError` for an unknown execution.
   */
  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease> {
    await this.ready();
    // A runner that suspends or ends the execution between the write and the read gives the
    // lease up: it is free then, so the write is made again (rarely more than once).
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.#driver.batch([takeLeaseStatement(executionId, owner, times.now, times.expiresAt)]);
      } catch (error) {
        throw storeError(this.description, `taking the lease of execution ${executionId}`, error);
      }
      const [row] = await this.#all(getLeaseStatement(executionId), `reading the lease of execution ${executionId}`);
      if (row === undefined) {
        throw new ExecutionNotFoundError(`no execution ${executionId} in ${this.description} to lease: start it (commit its first events) first`);
      }
      const lease = leaseFromRow(row);
      if (lease !== undefined) return lease;
    }
    throw new StoreError(`the lease of execution ${executionId} in ${this.description} was given up three times while it was taken: try again`);
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

  async #summaries(commits: readonly Commit[]): Promise<Map<string, ExecutionSummary> | undefined> {
    try {
      const ids = [...new Set(commits.map((commit) => commit.executionId))];
      const summaries = new Map<string, ExecutionSummary>();
      for (const statement of summariesStatements(ids)) {
        for (const row of await this.#driver.all(statement)) summaries.set(String(row.id), summaryFromRow(row));
      }
      return summaries;
    } catch {
      return undefined;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError(`the store over ${this.description} is closed: open a new one`);
  }
}
