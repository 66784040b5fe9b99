/**
 * `flux-ts/adapters/sql-js`: SQLite compiled to WebAssembly, in memory, with snapshots to bytes.
 * Runs anywhere (Node, browsers, workers); durable only as far as the caller keeps its exports.
 * Needs sql.js, an optional peer dependency: `npm install sql.js`.
 *
 * @example
 * import { openSqlJsStore } from "flux-ts/adapters/sql-js";
 * const store = await openSqlJsStore();
 */
export { SqlJsDriver } from "./sql-js-driver.js";
export { openSqlJsStore, SqlJsStore, type SqlJsStoreOptions } from "./sql-js-store.js";
export type { SqlJsDatabaseLike, SqlJsStatementLike, SqlJsStaticLike, SqlJsBindValue, InitSqlJs } from "./sql-js-like.js";
export { MissingDependencyError } from "../sql/missing-dependency-error.js";
