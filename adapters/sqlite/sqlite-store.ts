import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { StoreError } from "../../src/errors.js";
import { messageOf } from "../sql/sql-migrate.js";
import { SqlStore } from "../sql/sql-store.js";
import { BetterSqliteDriver } from "./better-sqlite-driver.js";
import type { BetterSqliteDatabaseLike } from "./better-sqlite-like.js";
import { loadBetterSqlite } from "./load-better-sqlite.js";

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** How long a commit waits for another process's write lock before failing, in ms (default 5000). */
  readonly busyTimeout?: number;
}

/** The default database file: `.flux/flux.db` under the current working directory. */
export function defaultSqlitePath(): string {
  return join(process.cwd(), ".flux", "flux.db");
}

/**
 * The Node default {@link StateStore}: a SQLite file through better-sqlite3, in WAL mode with
 * `synchronous = FULL`.
 *
 * Durability: a commit resolves only after its transaction is in the write-ahead log and the log
 * was fsynced. So once `commit` resolved, neither `kill -9` of the process nor a power cut loses
 * it (on a disk that honours fsync); a commit that had not resolved is either wholly there or
 * wholly absent after recovery, never a partial batch. Several processes may share the file:
 * writers take turns (waiting up to `busyTimeout`), and optimistic concurrency refuses a
 * second runner of one execution with `ConflictError`.
 *
 * Needs the package better-sqlite3 (an optional peer dependency of flux-ts): without it the
 * constructor throws `MissingDependencyError` saying `npm install better-sqlite3`.
 *
 * A file that is not SQLite, holds another application's tables, or has a newer flux-ts schema is
 * refused with a `StoreError` naming it, and its bytes are left unchanged. Prefer
 * {@link openSqliteStore}, which reports that at once.
 *
 * @example
 * const store = await openSqliteStore();            // .flux/flux.db
 * const other = await openSqliteStore("/var/lib/app/flux.db");
 */
export class SqliteStore extends SqlStore {
  /** The absolute path of the database file. */
  readonly path: string;

  /** Opens (creating it and its directories if needed) the file at `path`; checks it on first use. */
  constructor(path: string = defaultSqlitePath(), options: SqliteStoreOptions = {}) {
    const file = resolve(path);
    const description = `the SQLite database ${file}`;
    const Database = loadBetterSqlite();
    let db: BetterSqliteDatabaseLike;
    try {
      mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { timeout: Math.max(0, Math.trunc(options.busyTimeout ?? 5000)) });
    } catch (error) {
      throw new StoreError(`cannot open ${description}: ${messageOf(error)}`, { cause: error });
    }
    super(new BetterSqliteDriver(db, description));
    this.path = file;
  }
}

/**
 * Opens the SQLite store at `path` (default {@link defaultSqlitePath}) and checks, or creates,
 * its schema before resolving. Rejects with `StoreError` naming the file when it cannot be used;
 * the file is then closed and unchanged.
 *
 * @example
 * const store = await openSqliteStore(".flux/flux.db");
 */
export async function openSqliteStore(path?: string, options?: SqliteStoreOptions): Promise<SqliteStore> {
  const store = new SqliteStore(path, options);
  try {
    return await store.ready();
  } catch (error) {
    await store.close();
    throw error;
  }
}
