import { StoreError } from "../../src/errors.js";
import type { Queue } from "../../src/queue.js";
import type {
  Admission, AdmitOptions, CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "../../src/state-store.js";
import { admitQueued } from "./pg-admit.js";
import { commitPgBatch } from "./pg-commit.js";
import { deliverInbox, requestPgCancel, type PgInboxTarget } from "./pg-inbox.js";
import { takePgLease } from "./pg-lease.js";
import { listPgPage } from "./pg-list.js";
import type { PgPoolLike } from "./pg-like.js";
import { ensurePgSchema } from "./pg-migrate.js";
import { resolvePgOptions, type PostgresStoreOptions } from "./pg-options.js";
import { eventFromRow, inboxEventFromRow, summaryFromRow } from "./pg-rows.js";
import { pgTables, type PgTables } from "./pg-schema.js";
import {
  dueStatement, getCachedStatement, getStatement, loadStatement, pendingStatement, setCachedStatement, type PgRun,
} from "./pg-statements.js";
import { pgQuery, pgTransaction, type PgTransactionRun } from "./pg-transaction.js";
import { PgWakeListener, type WakeListener } from "./pg-wake-listener.js";

// Re-exported: importers of this module (adapters/node's store opener) find them here, as
// before they had files of their own.
export { defaultPoolSize, type PostgresStoreOptions } from "./pg-options.js";
export { redact } from "./pg-url.js";

/**
 * The {@link StateStore} on PostgreSQL (through `pg`, an optional peer dependency: `npm install
 * pg`; without it the constructor throws `MissingDependencyError`). Several processes on several
 * machines may share one database: that is what it is for.
 *
 * - **A commit is one transaction** (`commit` and `commitBatch` alike): it locks the summary rows
 *   it changes (`SELECT ... FOR UPDATE`, in id order), checks the expected sequence, the lease,
 *   a cancellation and the inbox events it consumes, and writes the events, the summaries and
 *   the marks, or nothing. It resolves after PostgreSQL's COMMIT returned: durable as the
 *   server's settings make it (`synchronous_commit = on`, the default: flushed to its WAL). A
 *   refused commit rejects with `ConflictError` (or `CancelRequestedError`) naming the reason.
 *   A deadlock or serialization failure is retried (5 times) before it is reported.
 * - **A lost connection** fails the operation in flight with a `StoreError`; whether a COMMIT
 *   whose answer was lost landed is then unknown, and the engine does not report the step done:
 *   it replays the execution (see docs/stores.md). The pool replaces the connection for the
 *   next call.
 * - `lease` is ONE conditional `UPDATE` (of two concurrent takers of a free lease, PostgreSQL's
 *   row lock lets exactly one through); `due` one range scan of the partial index on the wake
 *   time; `deliver` and `requestCancel` one short transaction each, on the execution's row lock.
 * - **Wake-ups across processes** ({@link subscribe}): a commit, delivery or cancellation that
 *   makes an execution due (or gives it a timer) sends `NOTIFY` in its transaction, delivered
 *   to every listening runner when it commits.
 * - The schema is checked and migrated on first use ({@link ready}): a newer, damaged or foreign
 *   one is refused with a `StoreError`, untouched.
 *
 * @example
 * const store = await openPostgresStore("postgres://flux@db.internal/flux");
 * const engine = new Engine({ store });
 */
export class PostgresStore implements StateStore {
  /** What the database is, for error messages (the URL without its password, and the schema). */
  readonly description: string;
  /** The PostgreSQL schema that holds the tables. */
  readonly schema: string;
  /** The connection URL as given (with its password), for a second handle; `undefined` with your own pool. */
  readonly url: string | undefined;
  readonly #pool: PgPoolLike;
  readonly #ownPool: boolean;
  readonly #tables: PgTables;
  readonly #channel: string;
  readonly #inbox: PgInboxTarget;
  #listener: PgWakeListener | undefined;
  #schemaReady: Promise<void> | undefined;
  #closed = false;

  /** Makes the store (and its pool) at once; nothing connects until the first call. Throws `UsageError` for a bad URL or schema name, `MissingDependencyError` without `pg`. */
  constructor(urlOrOptions: string | PostgresStoreOptions) {
    const setup = resolvePgOptions(urlOrOptions);
    this.schema = setup.schema;
    this.url = setup.url;
    this.description = setup.description;
    this.#pool = setup.pool;
    this.#ownPool = setup.ownPool;
    this.#tables = pgTables(this.schema);
    this.#channel = `${this.schema}_wake`;
    this.#inbox = { tables: this.#tables, channel: this.#channel, description: this.description };
    // An idle connection that the server closes is reported here; the pool drops it and the
    // next call opens another. Without a listener, Node would end the process on it.
    this.#pool.on("error", () => undefined);
  }

  /** Checks and migrates the schema if not done yet, and resolves to this store; call it to learn at once that the database cannot be used. A failed check is retried by the next call. */
  async ready(): Promise<this> {
    this.#assertOpen();
    this.#schemaReady ??= ensurePgSchema(this.#pool, this.schema, this.description).catch((error: unknown) => {
      this.#schemaReady = undefined;
      throw error;
    });
    await this.#schemaReady;
    return this;
  }

  async commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions): Promise<void> {
    return this.commitBatch([{ ...options, executionId, events }]);
  }

  async commitBatch(commits: readonly Commit[]): Promise<void> {
    if (commits.length === 0) return this.ready().then(() => undefined);
    return commitPgBatch(this.#transaction, this.#query, this.#tables, this.#channel, commits);
  }

  async load(executionId: string, page: LoadPage = {}): Promise<StoredEvent[]> {
    return (await this.#query(`loading execution ${executionId}`, loadStatement(this.#tables, executionId, page))).map(eventFromRow);
  }

  async get(executionId: string): Promise<ExecutionSummary | undefined> {
    const rows = await this.#query(`reading execution ${executionId}`, getStatement(this.#tables, executionId));
    return rows[0] === undefined ? undefined : summaryFromRow(rows[0]);
  }

  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    return listPgPage(this.#query, this.#tables, options);
  }

  async due(options: DueOptions): Promise<ExecutionSummary[]> {
    return (await this.#query("finding due executions", dueStatement(this.#tables, options))).map(summaryFromRow);
  }

  async getCached(key: string): Promise<string | undefined> {
    const rows = await this.#query(`reading cache key ${JSON.stringify(key)}`, getCachedStatement(this.#tables, key));
    return rows[0] === undefined ? undefined : String(rows[0].value);
  }

  async setCached(key: string, value: string): Promise<void> {
    await this.#query(`writing cache key ${JSON.stringify(key)}`, setCachedStatement(this.#tables, key, value));
  }

  /**
   * Appends `event` to the execution's inbox (see `StateStore.deliver`) in one transaction on
   * the execution's row lock: the next seq (so two senders never take the same), and the wake
   * of an execution paused waiting on an event of that name (`eventDelivered`), notified.
   */
  async deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
    return this.#transaction(`sending the event "${event.name}" to execution ${executionId}`, (client) => deliverInbox(client, this.#inbox, executionId, event));
  }

  async pending(executionId: string): Promise<InboxEvent[]> {
    return (await this.#query(`reading the inbox of execution ${executionId}`, pendingStatement(this.#tables, executionId))).map(inboxEventFromRow);
  }

  /** Asks for the execution's cancellation (see `StateStore.requestCancel`) in one transaction on its row lock (`cancelRequested`); a paused execution made due is notified. */
  async requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
    return this.#transaction(`asking for the cancellation of execution ${executionId}`, (client) => requestPgCancel(client, this.#inbox, executionId, request));
  }

  /**
   * Takes, renews or gives up the lease (see `StateStore.lease`) with ONE conditional `UPDATE`:
   * PostgreSQL runs two concurrent ones on the row one after the other, and the second
   * re-checks its condition against the first's result, so exactly one taker of a free lease
   * gets it. When it took nothing, a read says who holds it (see `takePgLease`).
   */
  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease & { readonly cancel?: CancelRequest }> {
    return takePgLease(this.#query, this.#tables, this.description, executionId, owner, times);
  }

  /**
   * Admits queued executions of `queue` (see `StateStore.admit`) in ONE transaction that holds
   * the queue's advisory lock until it commits (see `admitQueued`): admissions of one queue, from
   * any process, take turns.
   */
  async admit(queue: Queue, options: AdmitOptions): Promise<Admission> {
    if (options.workflows !== undefined && options.workflows.length === 0) return this.ready().then(() => ({ admitted: [] }));
    return this.#transaction(`admitting executions of queue "${queue.name}"`, (client) => admitQueued(client, this.#tables, `${this.schema}.${queue.name}`, queue, options));
  }

  /**
   * Calls `onWake` when another process (or this one) makes an execution due in this database:
   * a child finished, an event or a resume landed, a cancellation was asked for, a timer was
   * set. It hears the execution ids, or `undefined` after its `LISTEN` connection was lost and
   * replaced (notifications meanwhile were missed: look for due work). Returns the function
   * that unsubscribes. The engine's dispatcher subscribes, so a runner wakes at once instead of
   * at its next poll; a poll stays as the safety net.
   */
  subscribe(onWake: WakeListener): () => void {
    this.#assertOpen();
    this.#listener ??= new PgWakeListener(this.#pool, this.#channel);
    return this.#listener.subscribe(onWake);
  }

  /** Stops listening and ends the pool (unless it is yours), once calls in flight are done. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener?.close();
    await this.#schemaReady?.catch(() => undefined);
    if (this.#ownPool) await this.#pool.end().catch(() => undefined);
  }

  /** Runs one statement once the schema is ready (see `pgQuery`); a function, for the helpers that run their own. */
  readonly #query: PgRun = async (doing, statement) => {
    await this.ready();
    return pgQuery(this.#pool, this.description, doing, statement);
  };

  /** Runs `body` in one transaction once the schema is ready (see `pgTransaction`: retried on a deadlock); a function, as {@link #query}. */
  readonly #transaction: PgTransactionRun = async (doing, body) => {
    await this.ready();
    return pgTransaction(this.#pool, this.description, doing, body);
  };

  #assertOpen(): void {
    if (this.#closed) throw new StoreError(`the store on ${this.description} is closed: open a new one`);
  }
}

/**
 * A {@link PostgresStore} whose schema is checked (and migrated) already: rejects with the
 * `StoreError` that says why the database cannot be used, and closes the pool then.
 *
 * @example
 * const store = await openPostgresStore(process.env.FLUX_STORE_URL!);
 */
export async function openPostgresStore(urlOrOptions: string | PostgresStoreOptions): Promise<PostgresStore> {
  const store = new PostgresStore(urlOrOptions);
  try {
    return await store.ready();
  } catch (error) {
    await store.close();
    throw error;
  }
}
