import { openDB, type IDBPDatabase } from "idb";
import { StoreError } from "../../src/errors.js";
import { isDomError, messageOf } from "./idb-errors.js";
import { foreignStores, idbVersion, upgradeFluxDb, type FluxDbSchema } from "./idb-schema.js";
import { IdbStore } from "./idb-store.js";

const ignore = () => undefined;

function foreignError(what: string, stores: readonly string[], cause?: unknown): StoreError {
  return new StoreError(
    `${what} holds object stores of another application (${stores.join(", ")}): flux-ts left it untouched; give the store another name`,
    { cause },
  );
}

/**
 * Opens (creating or upgrading it if needed) the flux-ts IndexedDB database `name`. Rejects with
 * `StoreError` naming it when IndexedDB is missing, the database has a newer version than this
 * flux-ts knows, or holds object stores of another application; such a database is left as it
 * was. If an older connection in another tab blocks an upgrade, this waits until it closes.
 *
 * @example
 * const store = await openIdbStore(); // database "flux"
 */
export async function openIdbStore(name = "flux"): Promise<IdbStore> {
  const what = `the IndexedDB database "${name}"`;
  if (typeof indexedDB === "undefined") {
    throw new StoreError(`cannot open ${what}: this environment has no IndexedDB (in Node, use the SQLite store; in tests, import "fake-indexeddb/auto")`);
  }
  let foreign: string[] = [];
  let upgrade: { from: number; error: unknown } | undefined;
  let db: IDBPDatabase<FluxDbSchema>;
  try {
    db = await openDB<FluxDbSchema>(name, idbVersion, {
      upgrade(database, oldVersion, _newVersion, transaction) {
        const failed = (error: unknown) => (upgrade = { from: oldVersion, error });
        if (!upgradeFluxDb(database, oldVersion, transaction, failed)) {
          foreign = foreignStores(database);
          transaction.done.catch(ignore);
          transaction.abort();
        }
      },
    });
  } catch (error) {
    if (foreign.length > 0) throw foreignError(what, foreign, error);
    if (upgrade !== undefined) {
      throw new StoreError(
        `upgrading ${what} from version ${upgrade.from} to ${idbVersion} failed (${messageOf(upgrade.error)}): nothing of it was applied; ` +
          "it stays at the old version for an older flux-ts, or restore it from a backup.",
        { cause: upgrade.error },
      );
    }
    if (isDomError(error, "VersionError")) {
      throw new StoreError(`${what} has a version newer than ${idbVersion}, the one this flux-ts knows: upgrade flux-ts to open it. It was left untouched.`, { cause: error });
    }
    throw new StoreError(`cannot open ${what}: ${messageOf(error)}`, { cause: error });
  }
  const others = foreignStores(db);
  if (others.length > 0) {
    db.close();
    throw foreignError(what, others);
  }
  return new IdbStore(db, name);
}
