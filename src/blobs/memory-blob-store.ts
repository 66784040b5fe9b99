import { StoreError, UsageError } from "../errors.js";
import { assertBlobKey, type BlobStore } from "./blob-store.js";

/**
 * The reference {@link BlobStore}: blobs in this realm's memory, gone with it. Behaves as every
 * other blob store does (key checks, idempotent puts, closed stores reject); tests and the
 * in-memory engine use it.
 */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, string>();
  #closed = false;

  async put(key: string, data: string): Promise<void> {
    this.#open("put");
    assertBlobKey(key, "MemoryBlobStore.put");
    if (typeof data !== "string") throw new UsageError(`MemoryBlobStore.put("${key}"): data must be a string, got ${typeof data}.`);
    if (!this.#blobs.has(key)) this.#blobs.set(key, data);
  }

  async get(key: string): Promise<string | undefined> {
    this.#open("get");
    assertBlobKey(key, "MemoryBlobStore.get");
    return this.#blobs.get(key);
  }

  async delete(key: string): Promise<void> {
    this.#open("delete");
    assertBlobKey(key, "MemoryBlobStore.delete");
    this.#blobs.delete(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(call: string): void {
    if (this.#closed) throw new StoreError(`MemoryBlobStore.${call}: the store is closed; open a new one.`);
  }
}
