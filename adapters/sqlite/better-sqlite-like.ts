import type { SqlStatement } from "../sql/sql-driver.js";

/**
 * The part of a better-sqlite3 prepared statement the store calls. Described here, as kysely
 * does, so that flux-ts's types need neither better-sqlite3 nor `@types/better-sqlite3`.
 */
export interface BetterSqliteStatementLike {
  // unknown[]: better-sqlite3's own Statement types its parameters as a generic tuple.
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/** The part of a better-sqlite3 `Database` the store calls (a real `Database` fits it). */
export interface BetterSqliteDatabaseLike {
  prepare(sql: string): BetterSqliteStatementLike;
  transaction(fn: (statements: readonly SqlStatement[]) => void): { immediate(statements: readonly SqlStatement[]): void };
  pragma(source: string): unknown;
  close(): unknown;
}

/** better-sqlite3's `Database` class: `new Database(file, { timeout })`. */
export type BetterSqliteConstructor = new (file: string, options?: { timeout?: number }) => BetterSqliteDatabaseLike;
