import { openDB, unwrap, type DBSchema, type IDBPDatabase } from "idb";
import { StoreError } from "../../src/errors.js";
import { GuardedBlobStore } from "../blobs/guarded-blob-store.js";

/** The one object store of a blob database: the text of each blob, under its key. */
interface BlobDbSchema extends DBSchema {
  blobs: { key: string; value: string };
}

/** The IndexedDB version of blob databases (their own, apart from the state database's). */
export const idbBlobVersion = 1;

/**
 * The browser {@link BlobStore}: blobs in an IndexedDB database of their own, named after the
 * state database with `-blobs` (`flux-blobs` beside `flux`), so the state database's schema and
 * version are untouched. Each call is one transaction; a `put` checks for the key and adds the
 * text in one readwrite transaction with `durability: "strict"`, so a key keeps its first text
 * and a resolved put survives a reload or a browser crash. All tabs of the origin share it.
 *
 * Limits: the origin's storage quota (a browser may evict non-persistent storage under pressure,
 * see `navigator.storage.persist()`); a put beyond the quota rejects with `StoreError`
 * (`QuotaExceededError` as its cause). When another tab opens the database at a newer version,
 * this store closes itself; its later calls reject with `StoreError`.
 */
export class IdbBlobStore extends GuardedBlobStore {
  /** The IndexedDB database's name (`<state database>-blobs`). */
  readonly name: string;
  protected readonly label: string;
  readonly #db: IDBPDatabase<BlobDbSchema>;

  /** Wraps an open connection; use {@link openIdbBlobStore}. */
  constructor(db: IDBPDatabase<BlobDbSchema>, name: string) {
    super();
    this.#db = db;
    this.name = name;
    this.label = `IdbBlobStore("${name}")`;
    const raw = unwrap(db);
    raw.addEventListener("versionchange", () => void this.close());
    raw.addEventListener("close", () => void this.close());
  }

  protected async write(key: string, data: string): Promise<void> {
    const tx = this.#db.transaction("blobs", "readwrite", { durability: "strict" });
    if ((await tx.store.getKey(key)) === undefined) await tx.store.add(data, key);
    await tx.done;
  }

  protected read(key: string): Promise<string | undefined> {
    return this.#db.get("blobs", key);
  }

  protected async remove(key: string): Promise<void> {
    const tx = this.#db.transaction("blobs", "readwrite", { durability: "strict" });
    await tx.store.delete(key);
    await tx.done;
  }

  protected async release(): Promise<void> {
    this.#db.close();
  }
}

/**
 * Opens (creating it if needed) the blob database of the state database `database`: IndexedDB
 * database `<database>-blobs`. Rejects with `StoreError` naming it when IndexedDB is missing or
 * the database is not a flux-ts blob database (newer version, other object stores); such a
 * database is left as it was.
 *
 * @example
 * import { openIdbBlobStore } from "flux-ts/browser";
 * const blobs = await openIdbBlobStore(); // database "flux-blobs"
 */
export async function openIdbBlobStore(database = "flux"): Promise<IdbBlobStore> {
  const name = `${database}-blobs`;
  const what = `the IndexedDB blob database "${name}"`;
  if (typeof indexedDB === "undefined") {
    throw new StoreError(`cannot open ${what}: this environment has no IndexedDB (in Node, use FileBlobStore; in tests, import "fake-indexeddb/auto")`);
  }
  let db: IDBPDatabase<BlobDbSchema>;
  try {
    db = await openDB<BlobDbSchema>(name, idbBlobVersion, {
      upgrade(database, oldVersion) {
        if (oldVersion === 0) database.createObjectStore("blobs");
      },
    });
  } catch (error) {
    throw new StoreError(`cannot open ${what}: ${error instanceof Error ? error.message : String(error)} (a newer version belongs to a newer flux-ts; it was left untouched)`, { cause: error });
  }
  const stores = Array.from(db.objectStoreNames);
  if (stores.length !== 1 || stores[0] !== "blobs") {
    db.close();
    throw new StoreError(`${what} holds object stores ${JSON.stringify(stores)}, not flux-ts blobs: pass another name to openIdbBlobStore. It was left untouched.`);
  }
  return new IdbBlobStore(db, name);
}
