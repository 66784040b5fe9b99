import { GuardedBlobStore } from "../blobs/guarded-blob-store.js";
import type { R2BucketLike } from "./r2-bucket-like.js";

/** Options of {@link R2BlobStore}. */
export interface R2BlobStoreOptions {
  /** Put before every key, so blobs can share a bucket with other objects (default `"flux-blobs/"`; `""` for none). */
  readonly prefix?: string;
}

// A BOM at the start of a blob is part of its text: the standard UTF-8 decode (and so R2's
// `text()`) would drop it.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });

/**
 * The Cloudflare Worker {@link BlobStore}: one R2 object per blob, named by the prefix and the
 * key, holding the text as UTF-8. A `put` is a conditional write (`onlyIf: { etagDoesNotMatch:
 * "*" }`): it stores only when the key is absent, so a key keeps its first text even when two
 * Workers put it at once. A resolved put is durable as R2 is (it acknowledges a write once it is
 * stored; reads after it see it everywhere).
 *
 * Limits: an R2 object is at most 5 GiB by a single put (about 4.995 GiB), far above what a
 * Worker's 128 MB of memory lets it build as a string; keep values well below that. Closing the
 * store does not touch the binding, which belongs to the Worker.
 *
 * @example
 * import { R2BlobStore } from "flux-ts/worker";
 * const blobs = new R2BlobStore(env.BLOBS); // an R2 bucket binding named BLOBS in wrangler.toml
 */
export class R2BlobStore extends GuardedBlobStore {
  /** What every object name starts with. */
  readonly prefix: string;
  protected readonly label: string;
  readonly #bucket: R2BucketLike;

  constructor(bucket: R2BucketLike, options: R2BlobStoreOptions = {}) {
    super();
    this.#bucket = bucket;
    this.prefix = options.prefix ?? "flux-blobs/";
    this.label = `R2BlobStore(${JSON.stringify(this.prefix)})`;
  }

  protected async write(key: string, data: string): Promise<void> {
    await this.#bucket.put(this.prefix + key, data, { onlyIf: { etagDoesNotMatch: "*" } });
  }

  protected async read(key: string): Promise<string | undefined> {
    const object = await this.#bucket.get(this.prefix + key);
    return object === null ? undefined : utf8.decode(await object.arrayBuffer());
  }

  protected remove(key: string): Promise<void> {
    return this.#bucket.delete(this.prefix + key);
  }

  protected async release(): Promise<void> {}
}
