// The page of the Chromium IdbBlobStore test: exposes blob stores to the Node side, which drives
// them with page.evaluate. Errors come back as data (name, message) to be rebuilt there.
import { openIdbBlobStore, type IdbBlobStore } from "../../adapters/idb/idb-blob-store.js";
import type { RemoteAnswer as BlobPageResult } from "../support/remote-blob-store.js";

/** The API the page puts on `window.fluxBlobs`. */
export interface BlobPageApi {
  /** Opens the blob database of `database`; answers a handle for `call`. */
  open(database: string): Promise<BlobPageResult>;
  call(handle: number, method: "put" | "get" | "delete" | "close", args: unknown[]): Promise<BlobPageResult>;
  /** The keys of the IndexedDB database `name`'s `blobs` object store, read through a connection of its own. */
  keys(name: string): Promise<BlobPageResult>;
}

const stores: IdbBlobStore[] = [];

async function answer(run: () => Promise<unknown>): Promise<BlobPageResult> {
  try {
    return { value: await run() };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return { error: { name, message } };
  }
}

const api: BlobPageApi = {
  open: (database) => answer(async () => stores.push(await openIdbBlobStore(database)) - 1),
  call: (handle, method, args) => answer(() => (stores[handle]![method] as (...a: unknown[]) => Promise<unknown>)(...args)),
  keys: (name) => answer(() => new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const keys = db.transaction("blobs").objectStore("blobs").getAllKeys();
      keys.onerror = () => reject(keys.error);
      keys.onsuccess = () => {
        db.close();
        resolve(keys.result.map(String));
      };
    };
  })),
};

(globalThis as unknown as { fluxBlobs: BlobPageApi }).fluxBlobs = api;
document.title = "flux blobs ready";
