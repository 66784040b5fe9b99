/**
 * The parts of sql.js the store calls, described here so that flux-ts's types need neither
 * sql.js nor `@types/sql.js` (a real sql.js module and database fit them).
 */

/** A value sql.js binds to a statement. */
export type SqlJsBindValue = number | string | Uint8Array | null;

/** A sql.js prepared statement. */
export interface SqlJsStatementLike {
  bind(values?: SqlJsBindValue[] | null): boolean;
  step(): boolean;
  getAsObject(): Record<string, unknown>;
  reset(): void;
  run(values?: SqlJsBindValue[] | null): void;
}

/** A sql.js `Database`. */
export interface SqlJsDatabaseLike {
  exec(sql: string): unknown;
  prepare(sql: string): SqlJsStatementLike;
  export(): Uint8Array;
  close(): void;
}

/** An initialised sql.js module (what `initSqlJs()` resolves to). */
export interface SqlJsStaticLike {
  Database: new (data?: ArrayLike<number> | null) => SqlJsDatabaseLike;
}

/** sql.js's `initSqlJs`: loads its WebAssembly with these options. */
export type InitSqlJs = (config?: {
  locateFile?: (file: string) => string;
  wasmBinary?: ArrayBuffer;
  onAbort?: (what: unknown) => void;
}) => Promise<SqlJsStaticLike>;
