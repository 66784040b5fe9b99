import type { SqlStatement } from "../sql/sql-driver.js";

/**
 * The part of a better-sqlite3 prepared statement the store calls. Described here, as kysely
 * does, so that flux-ts's types need neither better-sqlite3 nor `@types/better-sqlite3`.
 */
export interface BetterSqliteStatementLike {
  /** True when the statement returns rows (a SELECT, or a write with RETURNING). */
  readonly reader: boolean;
  // unknown[]: better-sqlite3's own Statement types its parameters as a generic tuple.
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/** The part of a better-sqlite3 `Database` the store calls (a real `Database` fits it). */
export interface BetterSqliteDatabaseLike {
  prepare(sql: string): BetterSqliteStatementLike;
  transaction(fn: (statements: readonly SqlStatement[]) => unknown[]): { immediate(statements: readonly SqlStatement[]): unknown[] };
  pragma(source: string): unknown;
  close(): unknown;
}

/** better-sqlite3's `Database` class: `new Database(file, { timeout })`. */
export type BetterSqliteConstructor = new (file: string, options?: { timeout?: number }) => BetterSqliteDatabaseLike;
