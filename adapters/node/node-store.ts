import { UsageError } from "../../src/errors.js";
import { dirname, join } from "node:path";
import type { OutputStorage } from "../../src/blobs/value-storage.js";
import type { StateStore } from "../../src/state-store.js";
import { FileBlobStore } from "./file-blob-store.js";
import { PostgresStore, redact } from "../postgres/postgres-store.js";
import { defaultSqlitePath, SqliteStore } from "../sqlite/index.js";

/**
 * Where a Node engine keeps its state, as `--store` and `FLUX_STORE_URL` say it:
 * - absent or empty: the SQLite file `.flux/flux.db` under the current directory (the default);
 * - `postgres://…` or `postgresql://…`: PostgreSQL (`flux-ts/adapters/postgres`, needs `pg`),
 *   shared by every runner given the same URL; `?schema=NAME` picks the PostgreSQL schema;
 * - `sqlite:PATH`: the SQLite file at PATH.
 */
export type StoreUrl = string | undefined;

/** The store URL of a command: its `--store` value, else `FLUX_STORE_URL` from `env`; `undefined` (the SQLite default) when both are absent or empty. */
export function storeUrlOf(option: string | boolean | undefined, env: Readonly<Record<string, string | undefined>>): StoreUrl {
  const url = typeof option === "string" && option !== "" ? option : env["FLUX_STORE_URL"];
  return url === undefined || url === "" ? undefined : url;
}

/** The SQLite file `url` names (the default file when `url` is absent); `undefined` for a PostgreSQL URL. */
export function sqlitePathOf(url: StoreUrl): string | undefined {
  if (url === undefined) return defaultSqlitePath();
  if (url.startsWith("sqlite:")) return url.slice("sqlite:".length);
  return undefined;
}

/**
 * The store `url` names (see {@link StoreUrl}), made at once and opened on first use (so a
 * database that cannot be used is reported by the first call, as a `StoreError`). Throws
 * `UsageError` for a URL of no known kind.
 */
export function openNodeStore(url: StoreUrl): StateStore {
  const path = sqlitePathOf(url);
  if (path !== undefined) {
    if (path === "") throw new UsageError("sqlite: needs a path after it, e.g. --store sqlite:/var/lib/flux/flux.db");
    return new SqliteStore(path);
  }
  if (/^postgres(ql)?:\/\//.test(url!)) return new PostgresStore(url!);
  throw new UsageError(
    `unknown store ${JSON.stringify(redact(url!))}: give postgres://user@host/database (PostgreSQL) or sqlite:PATH (a SQLite file); leave it out for .flux/flux.db`,
  );
}

/**
 * Where a Node engine on the store `url` keeps values too large for its log: for a SQLite file,
 * a `FileBlobStore` in the directory `blobs` beside it (`.flux/blobs` by default); none for
 * PostgreSQL (a fleet's machines share no directory: give such engines a blob store they share).
 */
export function nodeOutputStorage(url: StoreUrl): OutputStorage | undefined {
  const path = sqlitePathOf(url);
  return path === undefined || path === "" ? undefined : { blobs: new FileBlobStore(join(dirname(path), "blobs")) };
}

/** How messages name the store of `url` (a password is never shown). */
export function storeName(url: StoreUrl): string {
  const path = sqlitePathOf(url);
  return path !== undefined ? path : redact(url!);
}
