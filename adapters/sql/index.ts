/**
 * The SQL layer shared by the SQLite, sql.js and D1 stores: one schema, one {@link SqlStore}
 * over a small {@link SqlDriver} interface. Use it directly to put flux-ts on another
 * SQLite-compatible database.
 */
export type { SqlDriver, SqlRow, SqlStatement, SqlValue } from "./sql-driver.js";
export { ensureSchema, type EnsureSchemaOptions } from "./sql-migrate.js";
export { fluxTableNames, migrations, schemaVersion, Tables, type Migration } from "./sql-schema.js";
export { SqlStore, type SqlStoreOptions } from "./sql-store.js";
export { MissingDependencyError } from "./missing-dependency-error.js";
