/**
 * `flux-ts/adapters/sqlite`: the Node default store, a SQLite file through better-sqlite3 (an
 * optional peer dependency: `npm install better-sqlite3`; without it, opening a store throws
 * `MissingDependencyError` saying so).
 *
 * @example
 * import { openSqliteStore } from "flux-ts/adapters/sqlite";
 * const store = await openSqliteStore(); // .flux/flux.db under process.cwd()
 */
export { BetterSqliteDriver } from "./better-sqlite-driver.js";
export type { BetterSqliteDatabaseLike, BetterSqliteStatementLike, BetterSqliteConstructor } from "./better-sqlite-like.js";
export { defaultSqlitePath, openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { MissingDependencyError } from "../sql/missing-dependency-error.js";
