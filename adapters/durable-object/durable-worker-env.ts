import type { R2BucketLike } from "../worker/r2-bucket-like.js";
import type { DurableObjectNamespaceLike } from "./durable-object-like.js";

/**
 * The bindings and variables of a Worker that runs executions in Durable Objects (see
 * wrangler.toml). Every other string var or secret is offered to tasks as a secret.
 */
export interface DurableWorkerEnv {
  /** The execution objects (class `FluxExecution`, a `new_sqlite_classes` migration): one per execution. */
  readonly EXECUTIONS: DurableObjectNamespaceLike;
  /** The directory object (class `FluxDirectory`): the index that lists executions across objects. */
  readonly DIRECTORY: DurableObjectNamespaceLike;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly FLUX_API_TOKEN?: string;
  /** Durable sleeps up to this many ms are held in the invocation; longer ones suspend and set the object's alarm (default 1000). */
  readonly FLUX_HOLD_SLEEPS_MS?: string;
  /** The largest request body in bytes (default 1 MiB). */
  readonly FLUX_BODY_LIMIT?: string;
  /** Store reads and batches one invocation of an object makes before it yields to its alarm (default 500). */
  readonly FLUX_INVOCATION_QUERIES?: string;
  /** Wall-clock ms one invocation of an object runs before it yields to its alarm (default 10,000). */
  readonly FLUX_INVOCATION_MS?: string;
  /**
   * An R2 bucket (`[[r2_buckets]]`, `binding = "BLOBS"`): when bound, values whose JSON is over
   * 256 KiB are kept there (`R2BlobStore`) and the objects' logs hold references.
   */
  readonly BLOBS?: R2BucketLike;
}
