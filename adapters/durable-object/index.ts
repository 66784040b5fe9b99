/**
 * `flux-ts/durable-object`: flux-ts on Cloudflare Durable Objects. The store over an object's
 * SQLite storage ({@link DurableObjectStore}), and the Worker that runs each execution in its
 * own object, woken by the object's alarm. Depends on no Cloudflare package: the storage and
 * bindings are described by the few methods flux-ts calls.
 *
 * @example
 * import { DurableObjectStore } from "flux-ts/durable-object";
 * const store = new DurableObjectStore(ctx.storage);
 */
export type {
  DurableObjectNamespaceLike, DurableObjectSqlLike, DurableObjectStateLike, DurableObjectStorageLike, DurableObjectStubLike,
} from "./durable-object-like.js";
export { DurableObjectSqlDriver, type SqlCounts } from "./durable-object-sql-driver.js";
export { DurableObjectStore, type DurableObjectStoreOptions } from "./durable-object-store.js";
