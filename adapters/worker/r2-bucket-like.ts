/**
 * The few methods of a Cloudflare R2 bucket binding (`R2Bucket` of @cloudflare/workers-types)
 * that {@link R2BlobStore} calls, so that flux-ts depends on no Cloudflare package. A real
 * binding (`env.BLOBS`) satisfies it.
 */
export interface R2BucketLike {
  /** The object under `key` with its body, or `null` when there is none. */
  get(key: string): Promise<R2ObjectBodyLike | null>;
  /**
   * Stores `value` under `key`. With `onlyIf: { etagDoesNotMatch: "*" }` it stores only when the
   * key is absent and resolves to `null` otherwise.
   */
  put(key: string, value: string, options?: { onlyIf?: { etagDoesNotMatch?: string } }): Promise<unknown>;
  /** Removes `key`; harmless when it is absent. */
  delete(key: string): Promise<void>;
}

/** The body of an R2 object, as {@link R2BucketLike.get} returns it. */
export interface R2ObjectBodyLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}
