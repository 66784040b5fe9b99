import { StoreError } from "../../src/errors.js";
import { isMissingPackage, MissingDependencyError } from "../sql/missing-dependency-error.js";
import { messageOf } from "../sql/sql-migrate.js";
import { SqlStore } from "../sql/sql-store.js";
import { SqlJsDriver } from "./sql-js-driver.js";
import type { InitSqlJs, SqlJsDatabaseLike, SqlJsStaticLike } from "./sql-js-like.js";

/** Options of {@link openSqlJsStore}. */
export interface SqlJsStoreOptions {
  /** The bytes of a database to start from (a previous {@link SqlJsStore.export}). Copied, never modified. */
  readonly data?: Uint8Array;
  /** What the bytes are, for error messages (a file name, a storage key). */
  readonly name?: string;
  /**
   * Where sql.js fetches `sql-wasm.wasm` from, in a browser. In Node it is not needed: sql.js
   * reads `sql.js/dist/sql-wasm.wasm` from its own package. sql.js loads its WebAssembly once
   * per realm: the first open's `locateFile`/`wasmBinary` apply, later ones are ignored (and a
   * failed load stays failed until the page or process restarts).
   * @example locateFile: (file) => `/assets/${file}` // or Vite's `import wasmUrl from "sql.js/dist/sql-wasm.wasm?url"`
   */
  readonly locateFile?: (file: string) => string;
  /** The WASM binary itself, instead of fetching it. */
  readonly wasmBinary?: ArrayBuffer | Uint8Array;
  /** An initialised sql.js module to use (the options above are then ignored). */
  readonly sqlJs?: SqlJsStaticLike;
}

/**
 * A {@link StateStore} in a sql.js (WASM SQLite) database in memory: the same schema and
 * guarantees as the SQLite store (atomic, conflict-checked commits), but nothing reaches a disk.
 *
 * Durability: none of its own. Everything is lost with the page or process unless the caller
 * saves {@link export}'s bytes somewhere and passes them back as `data`. Exporting copies the whole
 * database (4-20 ms for a modest one), so exporting after every step is NOT a durable default:
 * it is slow, and a crash between a commit and its export loses the commit anyway. For durable
 * state use the SQLite store in Node, IndexedDB in a browser, D1 in a Worker.
 *
 * @example
 * const store = await openSqlJsStore();
 * // ... run workflows, then keep a snapshot:
 * localStorage.setItem("flux", btoa(String.fromCharCode(...await store.export())));
 */
export class SqlJsStore extends SqlStore {
  readonly #db: SqlJsDatabaseLike;

  /** Wraps an open sql.js database; prefer {@link openSqlJsStore}. */
  constructor(db: SqlJsDatabaseLike, description: string) {
    super(new SqlJsDriver(db, description));
    this.#db = db;
  }

  /**
   * The bytes of the whole database, a SQLite file: pass them as `data` to open it again, or
   * write them to a file any SQLite can read. Rejects with `StoreError` once closed.
   */
  async export(): Promise<Uint8Array> {
    await this.ready();
    return this.#db.export();
  }
}

/**
 * sql.js's module, loaded with `options`. When the WebAssembly cannot be fetched, sql.js aborts
 * without rejecting its own promise (Emscripten calls `onAbort`, then throws where nothing catches
 * it: an unhandled rejection, fatal in Node by default), so `onAbort` rejects ours.
 */
async function loadSqlJs(options: SqlJsStoreOptions): Promise<SqlJsStaticLike> {
  if (options.sqlJs !== undefined) return options.sqlJs;
  const initSqlJs = await importSqlJs();
  return new Promise<SqlJsStaticLike>((resolve, reject) => {
    const config: { locateFile?: (file: string) => string; wasmBinary?: ArrayBuffer; onAbort: (what: unknown) => void } = {
      onAbort: (what) => reject(what instanceof Error ? what : new Error(String(what))),
    };
    if (options.locateFile !== undefined) config.locateFile = options.locateFile;
    if (options.wasmBinary !== undefined) {
      const binary = options.wasmBinary;
      config.wasmBinary = binary instanceof Uint8Array ? binary.slice().buffer : binary;
    }
    initSqlJs(config).then(resolve, reject);
  });
}

/**
 * sql.js's `initSqlJs`, imported on first use: sql.js is an optional peer dependency (31 MB that
 * most installs do not need). Rejects with `MissingDependencyError` when it is not installed.
 */
async function importSqlJs(): Promise<InitSqlJs> {
  try {
    const module = (await import("sql.js")) as unknown as { default: InitSqlJs };
    return module.default;
  } catch (error) {
    if (isMissingPackage(error, "sql.js")) {
      throw new MissingDependencyError("flux-ts/adapters/sql-js", "sql.js", { cause: error, otherwise: "pass an initialised sql.js module as the sqlJs option" });
    }
    throw error;
  }
}

/**
 * Opens a sql.js store: empty, or from `data`. Needs the package sql.js (an optional peer
 * dependency of flux-ts): without it, rejects with `MissingDependencyError` ("npm install sql.js"). Resolves once the schema is checked (or created).
 * Rejects with `StoreError` naming `name` when the bytes are not SQLite, hold another
 * application's tables, or a newer flux-ts schema; the bytes given are never modified.
 *
 * @example
 * const store = await openSqlJsStore({ data: savedBytes, name: "flux.db" });
 */
export async function openSqlJsStore(options: SqlJsStoreOptions = {}): Promise<SqlJsStore> {
  const description = options.name === undefined ? "the in-memory sql.js database" : `the sql.js database from ${options.name}`;
  let SQL: SqlJsStaticLike;
  try {
    SQL = await loadSqlJs(options);
  } catch (error) {
    if (error instanceof MissingDependencyError) throw error;
    throw new StoreError(
      `cannot load sql.js's WebAssembly for ${description} (${messageOf(error)}): in a browser, pass locateFile or wasmBinary`,
      { cause: error },
    );
  }
  const store = new SqlJsStore(new SQL.Database(options.data), description);
  try {
    return await store.ready();
  } catch (error) {
    await store.close();
    throw error;
  }
}
