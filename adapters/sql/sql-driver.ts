/** A value bound to, or read from, a SQL statement. Strings are TEXT, numbers INTEGER or REAL. */
export type SqlValue = string | number | null;

/** One SQL statement with its positional (`?`) parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** A row as a driver returns it: column name to value. */
export type SqlRow = Readonly<Record<string, unknown>>;

/**
 * The few things {@link SqlStore} needs from a SQLite-compatible database. Small on purpose: it is
 * what better-sqlite3, sql.js and Cloudflare D1 can all do. There is no callback transaction: an
 * atomic batch of statements is the only way to write, because D1 has nothing else.
 *
 * Drivers pass errors through unchanged; {@link SqlStore} recognises constraint violations by their
 * SQLite text ("... constraint failed") or code (`SQLITE_CONSTRAINT*`), which all three keep.
 *
 * @example
 * const driver: SqlDriver = {
 *   description: "my database",
 *   all: async ({ sql, params }) => db.prepare(sql).all(...params),
 *   batch: async (statements) => db.transaction(() => statements.map(({ sql, params }) => {
 *     const statement = db.prepare(sql);
 *     return statement.reader ? statement.all(...params) : (statement.run(...params), []);
 *   }).at(-1) ?? [])(),
 *   close: async () => db.close(),
 * };
 */
export interface SqlDriver {
  /** What the database is, for error messages: a file path, "the D1 binding DB". */
  readonly description: string;

  /** Runs one read statement and resolves to its rows (an empty array when there are none). */
  all(statement: SqlStatement): Promise<SqlRow[]>;

  /**
   * Optional: runs one read statement and resolves to `map` of each row, in order, stepping
   * through the result so that the rows are never all held at once (better-sqlite3's
   * `iterate()`). Loading a long log then peaks at the mapped values only. Without it,
   * {@link SqlStore} maps the result of {@link all}.
   */
  mapRows?<T>(statement: SqlStatement, map: (row: SqlRow) => T): Promise<T[]>;

  /**
   * Runs the statements in order as ONE atomic unit: when any of them fails, none of their
   * effects remain and the promise rejects with that statement's error. Resolves once the
   * batch is as durable as the database makes a committed transaction, to the rows of its LAST
   * statement (a SELECT, or a write with RETURNING), read inside that same transaction: so a
   * write and what it left are one atomic step (`StateStore.deliver` learns the seq it took,
   * `lease` the lease it left). An empty array when the last statement returns no rows.
   */
  batch(statements: readonly SqlStatement[]): Promise<SqlRow[]>;

  /** Releases the connection. Called once, by {@link SqlStore.close}. */
  close(): Promise<void>;
}
