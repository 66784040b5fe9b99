/**
 * `flux-ts/adapters/sqlite`: the Node default store, a SQLite file through better-sqlite3.
 *
 * @example
 * import { openSqliteStore } from "flux-ts/adapters/sqlite";
 * const store = await openSqliteStore(); // .flux/flux.db under process.cwd()
 */
export { BetterSqliteDriver } from "./better-sqlite-driver.js";
export { defaultSqlitePath, openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
