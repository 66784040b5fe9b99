import type { SqlDriver, SqlRow, SqlStatement } from "../sql/sql-driver.js";
import type { BetterSqliteDatabaseLike, BetterSqliteStatementLike } from "./better-sqlite-like.js";

/**
 * A {@link SqlDriver} over one better-sqlite3 connection. better-sqlite3 is synchronous, so each
 * call runs to its end before any other JavaScript of this process: batches never interleave.
 *
 * - `batch` is one `BEGIN IMMEDIATE` transaction: it takes the write lock first (waiting up to
 *   the connection's busy timeout for another process), and rolls back entirely on any error.
 *   Its last statement's rows are read inside it.
 * - The first `batch` switches the file to WAL (a write to the file's header) and the connection
 *   to `synchronous = FULL` (fsync of the log at every commit). Until then nothing is written,
 *   so a database that is only inspected and then refused is never modified.
 * - `mapRows` steps through a result with `iterate()`, so a long log is never held twice.
 * - Prepared statements are cached by SQL text.
 * - The page cache is SQLite's own default, 2 MB (better-sqlite3 sets 16 MB): the engine reads a
 *   log once, in order, so a larger cache only holds pages it will not read again (14 MB more
 *   resident memory when a 100,000-step log is replayed).
 */
export class BetterSqliteDriver implements SqlDriver {
  readonly description: string;
  readonly #db: BetterSqliteDatabaseLike;
  readonly #statements = new Map<string, BetterSqliteStatementLike>();
  readonly #transaction: { immediate(statements: readonly SqlStatement[]): unknown[] };
  #wal = false;

  /** Wraps an open connection; `description` names the file in error messages. */
  constructor(db: BetterSqliteDatabaseLike, description: string) {
    this.#db = db;
    this.description = description;
    try {
      db.pragma("cache_size = -2000");
    } catch {
      // Not a database (the store's first read names the file and the problem): nothing to size.
    }
    this.#transaction = db.transaction((statements: readonly SqlStatement[]) => {
      const last = statements.length - 1;
      for (let i = 0; i < last; i += 1) this.#prepare(statements[i]!.sql).run(...statements[i]!.params);
      const final = statements[last];
      if (final === undefined) return [];
      const statement = this.#prepare(final.sql);
      if (statement.reader) return statement.all(...final.params);
      statement.run(...final.params);
      return [];
    });
  }

  async all({ sql, params }: SqlStatement): Promise<SqlRow[]> {
    return this.#prepare(sql).all(...params) as SqlRow[];
  }

  async mapRows<T>({ sql, params }: SqlStatement, map: (row: SqlRow) => T): Promise<T[]> {
    const mapped: T[] = [];
    for (const row of this.#prepare(sql).iterate(...params)) mapped.push(map(row as SqlRow));
    return mapped;
  }

  async batch(statements: readonly SqlStatement[]): Promise<SqlRow[]> {
    if (!this.#wal) {
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = FULL");
      this.#wal = true;
    }
    return this.#transaction.immediate(statements) as SqlRow[];
  }

  async close(): Promise<void> {
    this.#statements.clear();
    this.#db.close();
  }

  #prepare(sql: string): BetterSqliteStatementLike {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
