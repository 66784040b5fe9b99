import { FluxError } from "../../src/errors.js";
import { storeError } from "../sql/sql-errors.js";
import type { PgClientLike, PgPoolLike } from "./pg-like.js";
import type { PgStatement } from "./pg-statements.js";

/** Errors of PostgreSQL that mean "try the transaction again": a deadlock, a serialization failure. */
const retryable = new Set(["40P01", "40001"]);
/** The pooled connections that have the store's "error" listener. */
const watched = new WeakSet<PgClientLike>();
/** A unique violation: a first commit lost its race on a new execution's id. */
const uniqueViolation = "23505";

/** True when `error` is PostgreSQL's unique violation (23505): in a commit, a first commit lost its race on a new execution's id. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === uniqueViolation;
}

/**
 * Runs one statement on a pooled connection (its own transaction) and resolves to its rows. A
 * failure rejects with a `StoreError` that names `doing` and the database (`description`).
 */
export async function pgQuery(pool: PgPoolLike, description: string, doing: string, statement: PgStatement): Promise<Record<string, unknown>[]> {
  try {
    return (await pool.query(statement.text, statement.values)).rows;
  } catch (error) {
    throw storeError(description, doing, error);
  }
}

/** Runs `body` in one transaction on the store's pool, once its schema is ready (the store's {@link pgTransaction}). */
export type PgTransactionRun = <T>(doing: string, body: (client: PgClientLike) => Promise<T>) => Promise<T>;

/**
 * Runs `body` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK
 * when it throws (its error passes through: a `FluxError` as it is, a database error as a
 * `StoreError`, a unique violation raw for the caller to explain). A deadlock or
 * serialization failure runs it again, up to 5 times. A connection that cannot be rolled back
 * is closed instead of going back to the pool.
 */
export async function pgTransaction<T>(pool: PgPoolLike, description: string, doing: string, body: (client: PgClientLike) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    let client: PgClientLike;
    try {
      client = await pool.connect();
    } catch (error) {
      throw storeError(description, doing, error);
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
      throw storeError(description, doing, error);
    }
  }
}
