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
export { createDurableWorker, type DurableWorker, type DurableWorkerOptions } from "./create-durable-worker.js";
export { executionObjectClass, type ExecutionObjectClass, type ExecutionObjectOptions } from "./execution-object.js";
export { FluxDirectoryObject } from "./directory-object.js";
export { ExecutionDirectory } from "./execution-directory.js";
export type { InvocationReport } from "./invocation.js";
export type { DurableWorkerEnv } from "./durable-worker-env.js";
