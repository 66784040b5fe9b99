import { UsageError } from "../errors.js";

/**
 * Where values too large for the event log are kept: the log holds a reference (a claim check),
 * the blob store the value's JSON text. One small interface for every place a blob can live (the
 * engine's memory, a directory of files, IndexedDB, R2); each implementation passes the shared
 * blob-store conformance suite (`test/blob-conformance.ts`).
 *
 * Keys are chosen by the engine (see {@link isBlobKey}; a random `v-<uuid>` per value): a key
 * always names the same text, so a `put` is idempotent, safe to repeat after a crash and safe to
 * run concurrently with another `put` of the same key. A blob written by a step whose commit never
 * landed is an orphan, never a wrong value.
 */
export interface BlobStore {
  /**
   * Stores `data` under `key`. Resolves once it is durable to the store's standard (for a file
   * store: it survives `kill -9`). Putting a key that is present again leaves it as it is.
   * Rejects with a `UsageError` for a key that is not a {@link isBlobKey blob key}.
   */
  put(key: string, data: string): Promise<void>;

  /** The text under `key`, or `undefined` when there is none. */
  get(key: string): Promise<string | undefined>;

  /** Removes `key`; harmless when it is absent. */
  delete(key: string): Promise<void>;

  /** Releases the store's resources; later calls reject. Closing twice is harmless. */
  close?(): Promise<void>;
}

const keyShape = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Whether `key` can name a blob in every store: 1 to 200 characters of letters, digits, `.`, `_`
 * and `-`, starting with a letter or digit (a file name on every file system, an IndexedDB key,
 * an R2 object key). The engine's keys are `v-` and a random UUID.
 */
export function isBlobKey(key: unknown): key is string {
  return typeof key === "string" && keyShape.test(key);
}

/**
 * Throws a `UsageError` naming `key` unless it is a {@link isBlobKey blob key}: the one check
 * every {@link BlobStore} makes before touching its storage.
 */
export function assertBlobKey(key: unknown, store: string): asserts key is string {
  if (!isBlobKey(key)) {
    throw new UsageError(
      `${store}: ${JSON.stringify(key)} is not a blob key: use 1 to 200 letters, digits, ".", "_" or "-", ` +
        `starting with a letter or digit (the engine's keys look like "v-<uuid>").`,
    );
  }
}
