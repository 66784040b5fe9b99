import { SqlStore } from "../sql/sql-store.js";
import type { DurableObjectStorageLike } from "./durable-object-like.js";
import { DurableObjectSqlDriver, type SqlCounts } from "./durable-object-sql-driver.js";

/** Options of {@link DurableObjectStore}. */
export interface DurableObjectStoreOptions {
  /** What the object is, for error messages (default "the Durable Object's storage"). */
  readonly description?: string;
  /** Called after each read or batch (a host that must stay under a per-invocation budget counts them). */
  readonly onCall?: () => void;
}

/**
 * A {@link StateStore} in a Durable Object's SQLite storage (an object class declared with
 * `new_sqlite_classes`): the SQL store of SQLite, sql.js and D1 on `ctx.storage.sql`.
 *
 * - Each commit (or `commitBatch`) is ONE `transactionSync`: all of it lands or none does, and a
 *   wrong `expectedSeq` or another owner's live lease fails it inside (`ConflictError`, nothing
 *   written), as on every SQL store. It passes the shared conformance suite, in workerd.
 * - Durability: a commit is in the object's storage when it resolves; Cloudflare makes it
 *   durable (replicated) before any response or message leaves the object after it.
 * - Schema: created or migrated on first use, like the other SQL stores. Tables that are not
 *   flux-ts's are left alone (the storage belongs to the object, and the platform may add its own).
 * - Everything the object keeps is in it: its execution (and the subworkflows it runs), their
 *   inboxes and the cache. One object per execution: no database shared between executions.
 *
 * @example
 * export class MyObject {
 *   constructor(ctx: DurableObjectState) { this.store = new DurableObjectStore(ctx.storage); }
 * }
 */
export class DurableObjectStore extends SqlStore {
  readonly #driver: DurableObjectSqlDriver;

  constructor(storage: DurableObjectStorageLike, options: DurableObjectStoreOptions = {}) {
    const driver = new DurableObjectSqlDriver(storage, options.description ?? "the Durable Object's storage", options.onCall);
    // The object's storage is the object's alone; the platform may keep tables of its own in it
    // (wrangler dev's `__miniflare_do_name`), which must not make it look foreign.
    super(driver, { allowOtherTables: true });
    this.#driver = driver;
  }

  /** How many reads and batches (and SQL statements) this store ran so far. */
  get counts(): Readonly<SqlCounts> {
    return this.#driver.counts;
  }
}
