/**
 * `flux-ts/adapters/postgres`: the store for a fleet of Node runners on one PostgreSQL database,
 * through `pg` (an optional peer dependency: `npm install pg`; without it, making a store throws
 * `MissingDependencyError` saying so).
 *
 * @example
 * import { openPostgresStore } from "flux-ts/adapters/postgres";
 * const store = await openPostgresStore("postgres://flux@db.internal/flux");
 */
export { openPostgresStore, PostgresStore } from "./postgres-store.js";
export { defaultPoolSize, type PostgresStoreOptions } from "./pg-options.js";
export { redact } from "./pg-url.js";
export type { PgClientLike, PgModuleLike, PgPoolLike, PgResultLike } from "./pg-like.js";
export { pgSchemaVersion } from "./pg-schema.js";
export type { WakeListener } from "./pg-wake-listener.js";
export { MissingDependencyError } from "../sql/missing-dependency-error.js";
