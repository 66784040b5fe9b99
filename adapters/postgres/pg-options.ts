import { UsageError } from "../../src/errors.js";
import { loadPg } from "./load-pg.js";
import type { PgPoolLike } from "./pg-like.js";
import { redact, splitUrl } from "./pg-url.js";

/** The default size of the store's connection pool: connections open at most at once. */
export const defaultPoolSize = 10;

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * A connection URL (`postgres://user:password@host:5432/database`); `?schema=NAME` in it
   * sets {@link schema}. Needed unless `pool` is given.
   */
  readonly url?: string;
  /**
   * Connections the store's pool opens at most at once (default {@link defaultPoolSize}).
   * A commit, lease or read holds one for its duration; a runner whose dispatcher runs holds
   * one more for `LISTEN`. Keep `poolSize × runners` under the server's `max_connections`.
   */
  readonly poolSize?: number;
  /** The PostgreSQL schema of the store's tables (default `flux`), created if missing. */
  readonly schema?: string;
  /** Your own `pg.Pool` instead of one made from `url` (the store then never ends it). */
  readonly pool?: PgPoolLike;
}

/** What a {@link PostgresStore} is made of, as {@link resolvePgOptions} reads it from its options. */
export interface PgStoreSetup {
  /** The PostgreSQL schema of the tables (a checked name). */
  readonly schema: string;
  /** The connection URL as given (with its password); `undefined` with your own pool. */
  readonly url: string | undefined;
  /** What the database is, for error messages (the URL without its password, and the schema). */
  readonly description: string;
  /** The pool the store runs on: yours, or one made from the URL (nothing connected yet). */
  readonly pool: PgPoolLike;
  /** True when the store made `pool` (and so ends it when it closes). */
  readonly ownPool: boolean;
}

/**
 * Reads the argument of `new PostgresStore(...)`: the schema (from `schema`, else `?schema=` in
 * the URL, else `flux`) and the pool (yours, or a new `pg.Pool` of `poolSize` connections,
 * which connects nothing until its first call). Throws `UsageError` for a bad URL, schema name
 * or pool size, or when neither a URL nor a pool is given; `MissingDependencyError` when a pool
 * must be made and `pg` is not installed.
 */
export function resolvePgOptions(urlOrOptions: string | PostgresStoreOptions): PgStoreSetup {
  const options: PostgresStoreOptions = typeof urlOrOptions === "string" ? { url: urlOrOptions } : urlOrOptions;
  const { url, schema: fromUrl } = splitUrl(options.url);
  const schema = options.schema ?? fromUrl ?? "flux";
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) {
    throw new UsageError(`invalid PostgreSQL schema name ${JSON.stringify(schema)} for flux-ts's store: use lower-case letters, digits and _ (e.g. flux)`);
  }
  const poolSize = options.poolSize ?? defaultPoolSize;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new UsageError(`invalid poolSize ${poolSize} for the PostgreSQL store: give a whole number ≥ 1 (default ${defaultPoolSize})`);
  const description = `PostgreSQL ${url === undefined ? "(your pool)" : redact(url)}, schema ${schema}`;
  if (options.pool !== undefined) return { schema, url: undefined, description, pool: options.pool, ownPool: false };
  if (url === undefined) throw new UsageError("the PostgreSQL store needs a url (postgres://user@host/database) or a pool");
  const pg = loadPg();
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: "flux-ts", idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  return { schema, url: options.url, description, pool, ownPool: true };
}
