import type { SqlDriver, SqlRow, SqlStatement } from "../sql/sql-driver.js";
import type { D1DatabaseLike } from "./d1-database-like.js";

/**
 * A {@link SqlDriver} over a D1 binding. A batch is ONE `db.batch()` call, which D1 runs as an
 * atomic transaction and acknowledges once it is durable in D1's storage (its last statement's
 * rows are that statement's `results`); a read is one
 * `prepare().bind().all()`. Closing does nothing: the binding belongs to the Worker.
 */
export class D1Driver implements SqlDriver {
  readonly description: string;
  readonly #db: D1DatabaseLike;

  /** Wraps a binding; `description` names it in error messages. */
  constructor(db: D1DatabaseLike, description: string) {
    this.#db = db;
    this.description = description;
  }

  async all({ sql, params }: SqlStatement): Promise<SqlRow[]> {
    const { results } = await this.#db.prepare(sql).bind(...params).all<SqlRow>();
    return results;
  }

  async batch(statements: readonly SqlStatement[]): Promise<SqlRow[]> {
    if (statements.length === 0) return [];
    const results = await this.#db.batch(statements.map(({ sql, params }) => this.#db.prepare(sql).bind(...params)));
    const last = results[results.length - 1] as { results?: unknown } | undefined;
    return Array.isArray(last?.results) ? (last.results as SqlRow[]) : [];
  }

  async close(): Promise<void> {}
}
