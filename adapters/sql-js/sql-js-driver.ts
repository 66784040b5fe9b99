import type { SqlDriver, SqlRow, SqlStatement } from "../sql/sql-driver.js";
import type { SqlJsDatabaseLike, SqlJsStatementLike } from "./sql-js-like.js";

/**
 * A {@link SqlDriver} over one sql.js (WASM SQLite) database. sql.js is synchronous, so a batch
 * runs to its end before any other JavaScript: batches never interleave. A batch is
 * `BEGIN IMMEDIATE ... COMMIT`, rolled back entirely on any error. Prepared statements are
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

  async batch(statements: readonly SqlStatement[]): Promise<void> {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const { sql, params } of statements) this.#prepare(sql).run([...params]);
      this.#db.exec("COMMIT");
    } catch (error) {
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // SQLite already rolled the transaction back.
      }
      throw error;
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
