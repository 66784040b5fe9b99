import { SqlStore } from "../sql/sql-store.js";
import type { D1DatabaseLike } from "./d1-database-like.js";
import { D1Driver } from "./d1-driver.js";

/** Options of {@link D1Store}. */
export interface D1StoreOptions {
  /** The binding's name, for error messages (default "DB"). */
  readonly binding?: string;
  /**
   * Share the database with an application's own tables. Off by default: a database holding
   * tables that are not flux-ts's (bar D1's `_cf_*` and wrangler's `d1_migrations`) is refused.
   */
  readonly allowOtherTables?: boolean;
}

/**
 * A {@link StateStore} in a Cloudflare D1 database, for Workers.
 *
 * - Each commit (or `commitBatch`) is ONE `batch()` call: D1 runs it as an atomic transaction,
 *   and a wrong `expectedSeq` fails it inside (ConflictError, nothing written), so two Workers
 *   running one execution cannot both win. No read precedes a commit: one round trip.
 * - Durability: a commit resolves once D1 acknowledged the batch, when it is durable in D1's
 *   replicated storage; a Worker killed before that leaves all of it or none.
 * - Schema: checked and, if needed, created or migrated on first use (two reads, one batch per
 *   missing migration). Or apply `adapters/d1/migrations` with `wrangler d1 migrations apply`
 *   beforehand: the store then finds the current schema version and writes nothing. Pick one
 *   way per database: migration 3 adds columns, which SQLite cannot do idempotently, so wrangler
 *   fails on it ("duplicate column name") where a D1Store already migrated the database itself.
 *   Create one D1Store per isolate (module scope) rather than per request, so that the check
 *   runs once.
 * - `due` is one indexed query; a workflow filter is one JSON parameter, and a suspension on many
 *   children is checked 90 ids per statement, so no statement binds more than D1's 100.
 * - After `close()` every call rejects with `StoreError`; the binding itself stays usable.
 *
 * @example
 * let store: D1Store | undefined;
 * export default {
 *   async fetch(request: Request, env: { DB: D1Database }) {
 *     store ??= new D1Store(env.DB);
 *     // ... new Engine({ store }) ...
 *   },
 * };
 */
export class D1Store extends SqlStore {
  constructor(db: D1DatabaseLike, options: D1StoreOptions = {}) {
    super(new D1Driver(db, `the D1 database bound as ${options.binding ?? "DB"}`), {
      allowOtherTables: options.allowOtherTables === true,
    });
  }
}
