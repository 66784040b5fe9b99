import { StoreError, UsageError, ValueTooLargeError } from "../errors.js";
import { randomUUID } from "../random-uuid.js";
import { decodeValue } from "../serialization.js";
import type { BlobStore } from "./blob-store.js";
import { blobRefText, StoredBlob } from "./stored-blob.js";

/** Where an engine keeps values too large for its log ({@link EngineOptions.outputStorage}). */
export interface OutputStorage {
  /** The blob store: `FileBlobStore` (Node), `IdbBlobStore` (browser), `R2BlobStore` (Worker), `MemoryBlobStore`. */
  readonly blobs: BlobStore;
  /** A value whose JSON text is longer than this many characters goes to `blobs` (default 262,144: 256 KiB). */
  readonly threshold?: number;
}

/** A task's own choice (`task({ outputStorage })`): `"inline"` keeps its values in the log whatever their size, or a threshold of its own. */
export type TaskOutputStorage = "inline" | { readonly threshold: number };

/**
 * Where a recorded value may go: `"engine"` by the engine's threshold, or as a task chose
 * ({@link TaskOutputStorage}). The engine's own small values (a sleep's length, a child's id) are
 * always inline, so that replay reads them without the blob store.
 */
export type ValuePlacement = "engine" | TaskOutputStorage;

/** The default {@link OutputStorage.threshold}: 256 KiB of JSON text. */
export const DEFAULT_OUTPUT_THRESHOLD = 256 * 1024;
/** The default hard limit on one recorded value (`EngineOptions.valueLimit`): 64 Mi characters of JSON text. */
export const DEFAULT_VALUE_LIMIT = 64 * 1024 * 1024;

/** A value an execution sent to the blob store: its text and the reference the log holds. */
export interface PlacedBlob {
  readonly text: string;
  readonly ref: string;
}

/**
 * @internal How an engine records values by size: inline in the log, or (over the threshold, when
 * it has output storage) in the blob store with a reference in the log; over the hard limit, not
 * at all (a `ValueTooLargeError` naming the value and its size). The one place a recorded value's
 * size is judged, and the one place a reference is read back.
 */
export class ValueStorage {
  readonly threshold: number;

  constructor(
    readonly storage: OutputStorage | undefined,
    readonly limit: number = DEFAULT_VALUE_LIMIT,
  ) {
    this.threshold = storage?.threshold ?? DEFAULT_OUTPUT_THRESHOLD;
    checkSize("EngineOptions.valueLimit", limit, 1);
    checkSize("EngineOptions.outputStorage.threshold", this.threshold, 0);
    if (storage !== undefined && typeof storage.blobs?.put !== "function") {
      throw new UsageError("EngineOptions.outputStorage.blobs must be a BlobStore (FileBlobStore, IdbBlobStore, R2BlobStore, MemoryBlobStore): it has no put method");
    }
  }

  /**
   * What to record for `text`, the JSON of `what` ("the value of task \"x\"") placed as `storage`
   * says (`undefined`: the engine's own bookkeeping, always inline): `undefined` when `text`
   * itself is recorded (no object made: the common case, on every event), or the reference to
   * record and the put of `text` that must be durable before the reference is committed. The
   * same text as one of `recent` (a workflow returning its last task's large result) reuses its
   * blob: a value is written once. Throws `ValueTooLargeError` over the hard limit (the engine's
   * own values and errors are not held to it).
   */
  place(text: string, what: string, storage: ValuePlacement | undefined, recent: readonly PlacedBlob[]): { ref: string; put?: Promise<void>; placed?: PlacedBlob } | undefined {
    if (storage === undefined) return undefined;
    if (text.length > this.limit) {
      throw new ValueTooLargeError(
        `${what} is ${text.length.toLocaleString("en-US")} characters of JSON, over the engine's limit of ${this.limit.toLocaleString("en-US")} ` +
          "(EngineOptions.valueLimit): return something smaller (a key or a path to where the data is), or raise the limit",
      );
    }
    if (this.storage === undefined || storage === "inline") return undefined;
    if (text.length <= (typeof storage === "object" ? storage.threshold : this.threshold)) return undefined;
    const same = recent.find((placed) => placed.text.length === text.length && placed.text === text);
    if (same !== undefined) return { ref: same.ref };
    const key = `v-${randomUUID()}`;
    const ref = blobRefText(key, text.length);
    return { ref, put: this.storage.blobs.put(key, text), placed: { text, ref } };
  }

  /**
   * The value `blob` refers to, fetched and decoded. `where` names it in errors ("event 12 of
   * execution x"): a store without output storage, or a blob store that lost it, is a `StoreError`
   * saying which blob and what to do.
   */
  async fetch(blob: StoredBlob, where: string): Promise<unknown> {
    if (this.storage === undefined) {
      throw new StoreError(`${where} is kept in a blob store (key ${blob.key}, ${blob.size} characters), and this engine has no output storage: give it EngineOptions.outputStorage with the blob store the value was written to`);
    }
    const text = await this.storage.blobs.get(blob.key);
    if (text === undefined) throw new StoreError(`${where} is kept in the blob store under ${blob.key}, which does not have it: the blob store is not the one the value was written to, or the blob was deleted`);
    return decodeValue(text);
  }

  /** `value` as recorded, with a top-level {@link StoredBlob} fetched: a promise only when there is one to fetch. */
  resolve(value: unknown, where: string): unknown {
    return value instanceof StoredBlob ? this.fetch(value, where) : value;
  }
}

function checkSize(option: string, value: number, least: number): void {
  if (!Number.isSafeInteger(value) || value < least) throw new UsageError(`${option} must be a whole number of characters ≥ ${least}, not ${String(value)}`);
}
