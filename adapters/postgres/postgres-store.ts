import { ExecutionFinishedError, ExecutionNotFoundError, FluxError, StoreError, UsageError } from "../../src/errors.js";
import { dueSize } from "../../src/due-order.js";
import { isTerminal } from "../../src/events.js";
import { cancelRequested, eventDelivered } from "../../src/execution-summary.js";
import { decodeCursor, encodeCursor, pageSize } from "../../src/list-cursor.js";
import type { Queue } from "../../src/queue.js";
import type {
  Admission, AdmitOptions, CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "../../src/state-store.js";
import { conflictError } from "../sql/sql-errors.js";
import { messageOf } from "../sql/sql-migrate.js";
import { loadPg } from "./load-pg.js";
import { admitQueued } from "./pg-admit.js";
import { applyCommits } from "./pg-commit.js";
import type { PgClientLike, PgPoolLike } from "./pg-like.js";
import { ensurePgSchema } from "./pg-migrate.js";
import { cancelFromRow, eventFromRow, inboxEventFromRow, leaseFromRow, summaryColumns, summaryFromRow, writeSummaries } from "./pg-rows.js";
import { pgTables } from "./pg-schema.js";
import { PgWakeListener, wakePayload, type WakeListener } from "./pg-wake-listener.js";

/** The default size of the store's connection pool: connections open at most at once. */
export const defaultPoolSize = 10;

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * A connection URL (`postgres://user:password@host:5432/database`); `?schema=NAME` in it
   * sets {@link schema}. Needed unless `pool` is given.
   */
  readonly url?: string;
  /**
   * Connections the store's pool opens at most at once (default {@link defaultPoolSize}).
   * A commit, lease or read holds one for its duration; a runner whose dispatcher runs holds
   * one more for `LISTEN`. Keep `poolSize × runners` under the server's `max_connections`.
   */
  readonly poolSize?: number;
  /** The PostgreSQL schema of the store's tables (default `flux`), created if missing. */
  readonly schema?: string;
  /** Your own `pg.Pool` instead of one made from `url` (the store then never ends it). */
  readonly pool?: PgPoolLike;
}

/** Errors of PostgreSQL that mean "try the transaction again": a deadlock, a serialization failure. */
const retryable = new Set(["40P01", "40001"]);
/** The pooled connections that have the store's "error" listener. */
const watched = new WeakSet<PgClientLike>();
/** A unique violation: a first commit lost its race on a new execution's id. */
const uniqueViolation = "23505";

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
  readonly #tables: ReturnType<typeof pgTables>;
  readonly #channel: string;
  #listener: PgWakeListener | undefined;
  #schemaReady: Promise<void> | undefined;
  #closed = false;

  /** Makes the store (and its pool) at once; nothing connects until the first call. Throws `UsageError` for a bad URL or schema name, `MissingDependencyError` without `pg`. */
  constructor(urlOrOptions: string | PostgresStoreOptions) {
    const options = typeof urlOrOptions === "string" ? { url: urlOrOptions } : urlOrOptions;
    const { url, schema: fromUrl } = splitUrl(options.url);
    this.schema = options.schema ?? fromUrl ?? "flux";
    if (!/^[a-z_][a-z0-9_]{0,40}$/.test(this.schema)) {
      throw new UsageError(`invalid PostgreSQL schema name ${JSON.stringify(this.schema)} for flux-ts's store: use lower-case letters, digits and _ (e.g. flux)`);
    }
    const poolSize = options.poolSize ?? defaultPoolSize;
    if (!Number.isInteger(poolSize) || poolSize < 1) throw new UsageError(`invalid poolSize ${poolSize} for the PostgreSQL store: give a whole number ≥ 1 (default ${defaultPoolSize})`);
    this.url = options.pool === undefined ? options.url : undefined;
    this.description = `PostgreSQL ${url === undefined ? "(your pool)" : redact(url)}, schema ${this.schema}`;
    this.#tables = pgTables(this.schema);
    this.#channel = `${this.schema}_wake`;
    if (options.pool !== undefined) {
      this.#pool = options.pool;
      this.#ownPool = false;
    } else {
      if (url === undefined) throw new UsageError("the PostgreSQL store needs a url (postgres://user@host/database) or a pool");
      const pg = loadPg();
      this.#pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: "flux-ts", idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
      this.#ownPool = true;
    }
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
    try {
      await this.#transaction("a commit", async (client) => {
        const { woken } = await applyCommits(client, this.#tables, commits);
        if (woken.length > 0) await this.#notify(client, woken);
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== uniqueViolation) throw error;
      const summaries = await this.#summaries(commits.map((commit) => commit.executionId)).catch(() => undefined);
      throw conflictError(commits, summaries, error);
    }
  }

  async load(executionId: string, page: LoadPage = {}): Promise<StoredEvent[]> {
    const rows = await this.#query(
      `loading execution ${executionId}`,
      `SELECT seq, type, source_id, name, value, time FROM ${this.#tables.events} WHERE execution_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
      [executionId, Math.max(0, page.from ?? 0), page.limit ?? null],
    );
    return rows.map(eventFromRow);
  }

  async get(executionId: string): Promise<ExecutionSummary | undefined> {
    const rows = await this.#query(`reading execution ${executionId}`, `SELECT ${summaryColumns} FROM ${this.#tables.executions} WHERE id = $1`, [executionId]);
    return rows[0] === undefined ? undefined : summaryFromRow(rows[0]);
  }

  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    const limit = pageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const rows = await this.#query(
      "listing executions",
      `SELECT ${summaryColumns} FROM ${this.#tables.executions}
WHERE ($1::text IS NULL OR workflow = $1) AND ($2::text IS NULL OR state = $2)
  AND ($3::float8 IS NULL OR created_at < $3 OR (created_at = $3 AND id < $4))
ORDER BY created_at DESC, id DESC LIMIT $5`,
      [options.workflow ?? null, options.state ?? null, after?.createdAt ?? null, after?.executionId ?? null, limit + 1],
    );
    const executions = rows.slice(0, limit).map(summaryFromRow);
    const last = executions[executions.length - 1];
    return rows.length > limit && last !== undefined ? { executions, nextCursor: encodeCursor(last) } : { executions };
  }

  async due(options: DueOptions): Promise<ExecutionSummary[]> {
    const rows = await this.#query(
      "finding due executions",
      `SELECT ${summaryColumns} FROM ${this.#tables.executions}
WHERE wake_at IS NOT NULL AND wake_at <= $1 AND ($2::text[] IS NULL OR workflow = ANY($2::text[]))
ORDER BY wake_at, id LIMIT $3`,
      [options.until, options.workflows === undefined ? null : [...options.workflows], dueSize(options.limit)],
    );
    return rows.map(summaryFromRow);
  }

  async getCached(key: string): Promise<string | undefined> {
    const rows = await this.#query(`reading cache key ${JSON.stringify(key)}`, `SELECT value FROM ${this.#tables.cache} WHERE key = $1`, [key]);
    return rows[0] === undefined ? undefined : String(rows[0].value);
  }

  async setCached(key: string, value: string): Promise<void> {
    await this.#query(
      `writing cache key ${JSON.stringify(key)}`,
      `INSERT INTO ${this.#tables.cache} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value],
    );
  }

  /**
   * Appends `event` to the execution's inbox (see `StateStore.deliver`) in one transaction on
   * the execution's row lock: the next seq (so two senders never take the same), and the wake
   * of an execution paused waiting on an event of that name (`eventDelivered`), notified.
   */
  async deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
    return this.#transaction(`sending the event "${event.name}" to execution ${executionId}`, async (client) => {
      const summary = await this.#lock(client, executionId);
      if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in ${this.description} to send the event "${event.name}" to: check the execution id`);
      if (isTerminal(summary.state)) throw new ExecutionFinishedError(`execution ${executionId} in ${this.description} has ended (${summary.state}): the event "${event.name}" has nothing to reach`);
      const { rows } = await client.query(
        `INSERT INTO ${this.#tables.inbox} (execution_id, seq, name, payload, time)
SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM ${this.#tables.inbox} WHERE execution_id = $1 RETURNING seq`,
        [executionId, event.name, event.payload, event.time],
      );
      const due = eventDelivered(summary, event.name, event.time);
      if (due !== undefined) {
        await writeSummaries(client, this.#tables.executions, [due]);
        await this.#notify(client, [executionId]);
      }
      return { seq: Number(rows[0]?.seq), name: event.name, payload: event.payload, time: event.time };
    });
  }

  async pending(executionId: string): Promise<InboxEvent[]> {
    const rows = await this.#query(
      `reading the inbox of execution ${executionId}`,
      `SELECT seq, name, payload, time FROM ${this.#tables.inbox} WHERE execution_id = $1 AND NOT consumed ORDER BY seq`,
      [executionId],
    );
    return rows.map(inboxEventFromRow);
  }

  /** Asks for the execution's cancellation (see `StateStore.requestCancel`) in one transaction on its row lock (`cancelRequested`); a paused execution made due is notified. */
  async requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
    return this.#transaction(`asking for the cancellation of execution ${executionId}`, async (client) => {
      const summary = await this.#lock(client, executionId);
      if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in ${this.description} to cancel: check the execution id`);
      const next = cancelRequested(summary, request);
      if (next === undefined) return summary;
      await writeSummaries(client, this.#tables.executions, [next]);
      if (next.wakeAt !== summary.wakeAt) await this.#notify(client, [executionId]);
      return next;
    });
  }

  /**
   * Takes, renews or gives up the lease (see `StateStore.lease`) with ONE conditional `UPDATE`:
   * PostgreSQL runs two concurrent ones on the row one after the other, and the second
   * re-checks its condition against the first's result, so exactly one taker of a free lease
   * gets it. When it took nothing, a read says who holds it.
   */
  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease & { readonly cancel?: CancelRequest }> {
    const doing = `taking the lease of execution ${executionId}`;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const taken = await this.#query(
        doing,
        `UPDATE ${this.#tables.executions} SET lease_owner = $2, lease_expires_at = $4, wake_at = CASE WHEN state = 'running' THEN $4 ELSE wake_at END
WHERE id = $1 AND (lease_owner IS NULL OR lease_expires_at <= $3 OR lease_owner = $2)
RETURNING lease_owner, lease_expires_at, cancel_requested_at, cancel_reason`,
        [executionId, owner, times.now, times.expiresAt],
      );
      const row = taken[0] ?? (await this.#query(doing, `SELECT lease_owner, lease_expires_at, cancel_requested_at, cancel_reason FROM ${this.#tables.executions} WHERE id = $1`, [executionId]))[0];
      if (row === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in ${this.description} to lease: start it (commit its first events) first`);
      const lease = leaseFromRow(row);
      // Its holder gave it up between the two statements: take it again.
      if (lease === undefined) continue;
      const cancel = cancelFromRow(row);
      return cancel === undefined ? lease : { ...lease, cancel };
    }
    throw new StoreError(`${doing} in ${this.description}: it kept changing hands; try again`);
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

  async #lock(client: PgClientLike, executionId: string): Promise<ExecutionSummary | undefined> {
    const { rows } = await client.query(`SELECT ${summaryColumns} FROM ${this.#tables.executions} WHERE id = $1 FOR UPDATE`, [executionId]);
    return rows[0] === undefined ? undefined : summaryFromRow(rows[0]);
  }

  async #notify(client: PgClientLike, executionIds: readonly string[]): Promise<void> {
    await client.query("SELECT pg_notify($1, $2)", [this.#channel, wakePayload(executionIds)]);
  }

  async #summaries(ids: readonly string[]): Promise<Map<string, ExecutionSummary>> {
    const rows = await this.#query("reading executions", `SELECT ${summaryColumns} FROM ${this.#tables.executions} WHERE id = ANY($1::text[])`, [[...new Set(ids)]]);
    return new Map(rows.map((row) => [String(row.id), summaryFromRow(row)]));
  }

  async #query(doing: string, text: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> {
    await this.ready();
    try {
      return (await this.#pool.query(text, values)).rows;
    } catch (error) {
      throw storeError(this.description, doing, error);
    }
  }

  /**
   * Runs `body` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK
   * when it throws (its error passes through: a `FluxError` as it is, a database error as a
   * `StoreError`, a unique violation raw for the caller to explain). A deadlock or
   * serialization failure runs it again, up to 5 times.
   */
  async #transaction<T>(doing: string, body: (client: PgClientLike) => Promise<T>): Promise<T> {
    await this.ready();
    for (let attempt = 1; ; attempt += 1) {
      let client: PgClientLike;
      try {
        client = await this.#pool.connect();
      } catch (error) {
        throw storeError(this.description, doing, error);
      }
      // A connection lost while checked out emits "error" beside failing its query; without a
      // listener that would end the process. The failed query is what reports it.
      if (!watched.has(client)) {
        watched.add(client);
        client.on("error", () => undefined);
      }
      try {
        await client.query("BEGIN");
        const result = await body(client);
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (error) {
        await client.query("ROLLBACK").then(() => client.release(), () => client.release(true));
        const code = (error as { code?: unknown }).code;
        if (typeof code === "string" && retryable.has(code) && attempt < 5) continue;
        if (error instanceof FluxError || code === uniqueViolation) throw error;
        throw storeError(this.description, doing, error);
      }
    }
  }

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

function storeError(description: string, doing: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`${doing} in ${description} failed: ${messageOf(error)}`, { cause: error });
}

/** The URL without a `schema` query parameter (pg would pass it to the server), and that schema. */
function splitUrl(url: string | undefined): { url: string | undefined; schema: string | undefined } {
  if (url === undefined) return { url, schema: undefined };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid PostgreSQL URL ${JSON.stringify(redact(url))}: give postgres://user:password@host:5432/database`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new UsageError(`invalid PostgreSQL URL ${JSON.stringify(redact(url))}: it must start with postgres:// or postgresql://`);
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  if (schema === undefined) return { url, schema };
  parsed.searchParams.delete("schema");
  return { url: parsed.toString(), schema };
}

/** `url` with its password replaced by `***`, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}
