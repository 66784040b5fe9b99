/**
 * `flux-ts/adapters/idb`: the browser store, in IndexedDB through `idb`.
 *
 * @example
 * import { openIdbStore } from "flux-ts/adapters/idb";
 * const store = await openIdbStore("flux");
 */
export { IdbStore } from "./idb-store.js";
export { openIdbStore } from "./idb-open.js";
export { idbStoreNames, idbVersion, type EventBatchRecord, type EventRecord, type FluxDbSchema } from "./idb-schema.js";
export { IdbBlobStore, openIdbBlobStore, idbBlobVersion } from "./idb-blob-store.js";
