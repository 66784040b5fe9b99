import { assertBlobKey, type BlobStore } from "../../src/blobs/blob-store.js";
import { StoreError, UsageError } from "../../src/errors.js";

/**
 * The checks every adapter's {@link BlobStore} makes before touching its storage, in one place: a
 * closed store rejects with `StoreError`, a bad key or non-string data with `UsageError` naming
 * it, and nothing is written then. Backend errors (a full disk, a failed request) come back as a
 * `StoreError` naming the store, the call and the key, with the backend's error as `cause`.
 * Subclasses implement the four raw operations and may assume their arguments are valid.
 */
export abstract class GuardedBlobStore implements BlobStore {
  #closed = false;

  /** How messages name this store, e.g. `FileBlobStore(/srv/.flux/blobs)`. */
  protected abstract readonly label: string;
  /** Stores `data` under `key` unless `key` is present. */
  protected abstract write(key: string, data: string): Promise<void>;
  /** The text under `key`, or `undefined`. */
  protected abstract read(key: string): Promise<string | undefined>;
  /** Removes `key` if present. */
  protected abstract remove(key: string): Promise<void>;
  /** Frees the backend's resources (called once, by the first `close`). */
  protected abstract release(): Promise<void>;

  async put(key: string, data: string): Promise<void> {
    this.#check("put", key);
    if (typeof data !== "string") throw new UsageError(`${this.label}.put(${JSON.stringify(key)}): data must be a string (a value's JSON text), got ${typeof data}.`);
    return this.#run("put", key, () => this.write(key, data));
  }

  async get(key: string): Promise<string | undefined> {
    this.#check("get", key);
    return this.#run("get", key, () => this.read(key));
  }

  async delete(key: string): Promise<void> {
    this.#check("delete", key);
    return this.#run("delete", key, () => this.remove(key));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.release();
  }

  #check(call: string, key: unknown): asserts key is string {
    if (this.#closed) throw new StoreError(`${this.label}.${call}: the store is closed; open a new one.`);
    assertBlobKey(key, `${this.label}.${call}`);
  }

  async #run<T>(call: string, key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StoreError || error instanceof UsageError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError(`${this.label}.${call}(${JSON.stringify(key)}) failed: ${reason}`, { cause: error });
    }
  }
}
