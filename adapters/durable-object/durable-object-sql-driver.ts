import type { SqlDriver, SqlRow, SqlStatement } from "../sql/sql-driver.js";
import type { DurableObjectStorageLike } from "./durable-object-like.js";

/** How many statements and driver calls a {@link DurableObjectSqlDriver} ran. */
export interface SqlCounts {
  /** Driver calls: each read, and each batch (one transaction), counts one. */
  queries: number;
  /** SQL statements executed, the statements of batches included. */
  statements: number;
}

/**
 * A {@link SqlDriver} over a Durable Object's SQLite storage (`ctx.storage`). The object's SQLite
 * is synchronous and in the object's own thread, so a call runs to its end before any other
 * JavaScript of the object: batches never interleave.
 *
 * - `batch` is one `transactionSync` (the object's storage forbids BEGIN/COMMIT statements):
 *   all of it lands or none does, and its last statement's rows are read inside it. Its writes
 *   are durable, as every write of the object, before the object's next output leaves it
 *   (Cloudflare's output gate holds the response until they are).
 * - Every call is counted ({@link counts}): a host that must stay under a per-invocation budget
 *   reads it.
 * - Closing does nothing: the storage belongs to the object.
 */
export class DurableObjectSqlDriver implements SqlDriver {
  readonly description: string;
  readonly counts: SqlCounts = { queries: 0, statements: 0 };
  readonly #storage: DurableObjectStorageLike;

  readonly #onCall: (() => void) | undefined;

  /** Wraps the object's storage; `description` names it in error messages; `onCall` runs after each counted call. */
  constructor(storage: DurableObjectStorageLike, description: string, onCall?: () => void) {
    this.#storage = storage;
    this.description = description;
    this.#onCall = onCall;
  }

  async all({ sql, params }: SqlStatement): Promise<SqlRow[]> {
    this.counts.queries += 1;
    this.counts.statements += 1;
    try {
      return this.#storage.sql.exec(sql, ...params).toArray();
    } finally {
      this.#onCall?.();
    }
  }

  async batch(statements: readonly SqlStatement[]): Promise<SqlRow[]> {
    if (statements.length === 0) return [];
    this.counts.queries += 1;
    this.counts.statements += statements.length;
    const sql = this.#storage.sql;
    try {
      return this.#storage.transactionSync(() => {
        let rows: SqlRow[] = [];
        for (const { sql: text, params } of statements) rows = sql.exec(text, ...params).toArray();
        return rows;
      });
    } finally {
      this.#onCall?.();
    }
  }

  async close(): Promise<void> {}
}
