/**
 * `flux-ts/worker`: a Cloudflare Worker on D1 in one call, serving your workflows over the HTTP
 * API of `flux-ts/hono`, with a Cron Trigger handler for durable sleeps and recovery. Depends on
 * no Cloudflare package (the D1 binding is described by the few methods the store calls).
 *
 * @example
 * import { createWorker } from "flux-ts/worker";
 * import { helloWorld } from "./hello_world.js";
 * export default createWorker({ workflows: [helloWorld] });
 */
export { createWorker, type WorkerOptions, type FluxWorker, type ServedWorker } from "./create-worker.js";
export type { WorkerEnv, WaitUntil } from "./worker-env.js";
export { R2BlobStore, type R2BlobStoreOptions } from "./r2-blob-store.js";
export type { R2BucketLike, R2ObjectBodyLike } from "./r2-bucket-like.js";
