import type { SqlDriver, SqlRow, SqlStatement } from "../sql/sql-driver.js";
import type { SqlJsDatabaseLike, SqlJsStatementLike } from "./sql-js-like.js";

/**
 * A {@link SqlDriver} over one sql.js (WASM SQLite) database. sql.js is synchronous, so a batch
 * runs to its end before any other JavaScript: batches never interleave. A batch is
 * `BEGIN IMMEDIATE ... COMMIT`, rolled back entirely on any error; its last statement's rows are
 * read before the COMMIT. Prepared statements are
 * cached by SQL text.
 */
export class SqlJsDriver implements SqlDriver {
  readonly description: string;
  readonly #db: SqlJsDatabaseLike;
  readonly #statements = new Map<string, SqlJsStatementLike>();

  /** Wraps an open sql.js database; `description` names it in error messages. */
  constructor(db: SqlJsDatabaseLike, description: string) {
    this.#db = db;
    this.description = description;
  }

  async all({ sql, params }: SqlStatement): Promise<SqlRow[]> {
    return this.#rows(sql, params);
  }

  async batch(statements: readonly SqlStatement[]): Promise<SqlRow[]> {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const last = statements.length - 1;
      for (let i = 0; i < last; i += 1) this.#prepare(statements[i]!.sql).run([...statements[i]!.params]);
      const final = statements[last];
      const rows = final === undefined ? [] : this.#rows(final.sql, final.params);
      this.#db.exec("COMMIT");
      return rows;
    } catch (error) {
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // SQLite already rolled the transaction back.
      }
      throw error;
    }
  }

  /** Runs one statement (a read, or a write with or without RETURNING) and returns its rows. */
  #rows(sql: string, params: SqlStatement["params"]): SqlRow[] {
    const statement = this.#prepare(sql);
    try {
      statement.bind([...params]);
      const rows: SqlRow[] = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows;
    } finally {
      statement.reset();
    }
  }

  async close(): Promise<void> {
    this.#statements.clear();
    this.#db.close();
  }

  #prepare(sql: string): SqlJsStatementLike {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
