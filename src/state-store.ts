import type { ExecutionState } from "./events.js";

/**
 * An event as a store keeps it: the value is JSON text produced by the engine's encoder
 * (Dates and Errors tagged), so a store never interprets values and never needs to.
 */
export interface StoredEvent {
  /** Position in the execution's log, from 0, without gaps. Unique per execution. */
  readonly id: number;
  /** An {@link ExecutionEventType} string. */
  readonly type: string;
  readonly sourceId: string;
  readonly name: string;
  /** JSON text; decode with the engine's `decodeValue`. */
  readonly value: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/** A page of a log for {@link StateStore.load}: ids from `from` (default 0), at most `limit` events (default all). */
export interface LoadPage {
  readonly from?: number;
  readonly limit?: number;
}

/** One append to one execution's log, as {@link StateStore.commit} takes it. */
export interface Commit {
  readonly executionId: string;
  /** The events to append; their ids are `expectedSeq`, `expectedSeq + 1`, ... */
  readonly events: readonly StoredEvent[];
  /** How many events the log must hold before this append (the id of the first new event). */
  readonly expectedSeq: number;
}

/** What {@link StateStore.list} returns for one execution. */
export interface ExecutionSummary {
  readonly executionId: string;
  /** The workflow's name, from the execution's first event. */
  readonly workflow: string;
  readonly state: ExecutionState;
  /** How many events the log holds. */
  readonly events: number;
  /** Time of the first and of the last event, ms since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Filters and paging for {@link StateStore.list}. */
export interface ListOptions {
  readonly workflow?: string;
  readonly state?: ExecutionState;
  /** At most this many summaries (a store may cap it; default 100). */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** One page of {@link StateStore.list}. */
export interface ExecutionPage {
  readonly executions: readonly ExecutionSummary[];
  /** Present when more executions follow; pass it as `cursor` to get them. */
  readonly nextCursor?: string;
}

/** Who may run an execution, and until when (see {@link StateStore.lease}). */
export interface Lease {
  readonly owner: string;
  /** Milliseconds since the epoch; at or after it the lease is free to take. */
  readonly expiresAt: number;
}

/**
 * Durable state of executions: append-only event logs, a summary per execution, and a cache.
 *
 * Every method is safe to call concurrently. The contract is small on purpose: it is what
 * SQLite (better-sqlite3, sql.js), Cloudflare D1 and IndexedDB can all do in one atomic batch,
 * with no callback transactions (D1 has none; an IndexedDB transaction closes at any unrelated
 * `await`). Every adapter passes the shared conformance suite in `test/store-conformance.ts`.
 */
export interface StateStore {
  /**
   * Appends `events` to the execution's log atomically.
   *
   * - Resolves only once the events are durable to the store's standard (for an on-disk store:
   *   they survive `kill -9`; each adapter's doc says what a power cut can lose).
   * - Rejects with `ConflictError`, writing nothing, when the log does not hold exactly
   *   `expectedSeq` events: another writer got there first (two runners on one execution).
   * - Keeps the execution's summary (state, event count, times) in step with its log.
   */
  commit(executionId: string, events: readonly StoredEvent[], options: { expectedSeq: number }): Promise<void>;

  /**
   * Several {@link commit}s as one atomic batch (group commit): all land or none does.
   * Rejects with `ConflictError` if any of them would; the engine then retries them one by one.
   */
  commitBatch(commits: readonly Commit[]): Promise<void>;

  /**
   * The execution's events in log order; an empty array when the execution is unknown. With
   * `from` and `limit`, one page of it: the events whose id is at least `from`, at most `limit`
   * of them (the engine reads long logs page by page, so that it never holds all the raw rows).
   */
  load(executionId: string, page?: LoadPage): Promise<StoredEvent[]>;

  /** The execution's summary, or `undefined` when it is unknown. */
  get(executionId: string): Promise<ExecutionSummary | undefined>;

  /**
   * Summaries, newest first (by creation, then id), filtered and paged. A cursor stays valid
   * while executions are added: a page never repeats an execution of an earlier page.
   */
  list(options?: ListOptions): Promise<ExecutionPage>;

  /** The cached JSON text under `key`, or `undefined`. */
  getCached(key: string): Promise<string | undefined>;

  /** Stores `value` (JSON text) under `key`, replacing any earlier value. */
  setCached(key: string, value: string): Promise<void>;

  /**
   * Takes, renews or gives up the lease on an execution, atomically: sets it to
   * `(owner, expiresAt)` if there is none, if it expired (its `expiresAt` ≤ `now`), or if `owner`
   * already holds it; otherwise leaves it. Resolves with the lease as it stands afterwards, so
   * the caller holds it exactly when the returned `owner` is its own. Giving it up is renewing it
   * with `expiresAt = now`. Of two concurrent takers of a free lease, exactly one gets it.
   */
  lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease>;

  /** Releases the store's resources. Later calls reject. Closing twice is harmless. */
  close(): Promise<void>;
}
