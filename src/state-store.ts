import type { ExecutionState } from "./events.js";
import type { Queue } from "./queue.js";

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

/**
 * One thing a suspended execution waits on: a pause point (answered only by a resume aimed at
 * it), a timer (a durable sleep), or a subworkflow's end. `stepId` is the step that waits.
 */
export type Wait =
  | { readonly kind: "pause"; readonly stepId: string; readonly name: string }
  | { readonly kind: "timer"; readonly stepId: string; readonly until: number }
  | { readonly kind: "child"; readonly stepId: string; readonly executionId: string; readonly workflow: string }
  /** A named event (`ctx.waitForEvent`), until a timeout when it has one. */
  | { readonly kind: "event"; readonly stepId: string; readonly name: string; readonly until?: number };

/**
 * An event sent to an execution (`engine.sendEvent`), as its inbox keeps it: durable from the
 * moment it is delivered, until a wait of the execution consumes it (see `Commit.consumes`).
 */
export interface InboxEvent {
  /** Its place in the execution's inbox, from 1, in the order events were delivered. */
  readonly seq: number;
  readonly name: string;
  /** JSON text, as the engine's encoder writes it. */
  readonly payload: string;
  /** When it was delivered, ms since the epoch. */
  readonly time: number;
}

/** A cancellation asked for (`engine.cancel`) and not yet recorded by the execution's run. */
export interface CancelRequest {
  readonly reason?: string;
  /** When it was asked for, ms since the epoch. */
  readonly time: number;
}

/**
 * Who runs an execution, and until when. A runner holds the lease from the commit that starts
 * (or resumes, or recovers) the execution until the commit that suspends or ends it.
 */
export interface Lease {
  readonly owner: string;
  /** Milliseconds since the epoch; at or after it the lease is free to take. */
  readonly expiresAt: number;
}

/**
 * The lease side of a commit: the commit is refused with `ConflictError` (nothing written)
 * when another owner holds a live lease at `now`. With `expiresAt`, the commit also takes (or
 * renews) the lease until then, atomically with its events.
 */
export interface LeaseClaim {
  readonly owner: string;
  readonly now: number;
  readonly expiresAt?: number;
}

/** What a commit that suspends an execution (its last workflow event is `WORKFLOW_PAUSED`) records of its waits. */
export interface Suspension {
  /** Everything it waits on, in step order. */
  readonly waits: readonly Wait[];
  /** Its earliest timer; absent when it waits on no timer. */
  readonly wakeAt?: number;
}

/** One append to one execution's log, as {@link StateStore.commitBatch} takes it. */
export interface Commit {
  readonly executionId: string;
  /** The events to append; their ids are `expectedSeq`, `expectedSeq + 1`, ... */
  readonly events: readonly StoredEvent[];
  /** How many events the log must hold before this append (the id of the first new event). */
  readonly expectedSeq: number;
  /** The runner's lease: checked, and taken when it has `expiresAt` (see {@link LeaseClaim}). */
  readonly lease?: LeaseClaim;
  /** On a commit that leaves the execution paused: what it waits on. */
  readonly suspend?: Suspension;
  /** On the first commit of a subworkflow's execution: its parent's execution id. */
  readonly parentId?: string;
  /**
   * The inbox events (their `seq`) this commit's events consume: marked consumed atomically with
   * them. The commit is refused with `ConflictError` when one is unknown or already consumed.
   */
  readonly consumes?: readonly number[];
  /**
   * On the first commit of an execution (its `WORKFLOW_STARTED`): the name of the queue it
   * waits in. The execution is then `queued`: it holds no lease, is not due, and runs only once
   * {@link StateStore.admit} admits it. The store gives it its place in the queue (a per-store
   * sequence that grows with each queued start), which admission follows.
   */
  readonly queue?: string;
}

/** The options of {@link StateStore.commit}: a {@link Commit} without its id and events. */
export type CommitOptions = Omit<Commit, "executionId" | "events">;

/** What {@link StateStore.list}, {@link StateStore.get} and {@link StateStore.due} return for one execution. */
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
  /** The execution that runs this one as a subworkflow. */
  readonly parentId?: string;
  /** While paused: what it waits on (from its suspending commit). */
  readonly waits?: readonly Wait[];
  /**
   * When a runner should next look at it (see {@link StateStore.due}): a paused execution's
   * earliest timer, or the time a waited child finished; a running execution's lease expiry
   * (or, when no one leases it, the time of its last event). Absent when nothing but a resume
   * can move it, and once it finished.
   */
  readonly wakeAt?: number;
  /**
   * The lease of the runner running it, or about to (a runner claims a paused execution before
   * it resumes it); a commit that suspends or finishes it gives the lease up.
   */
  readonly lease?: Lease;
  /** A cancellation asked for and not yet recorded; cleared when the execution ends. */
  readonly cancel?: CancelRequest;
  /** The queue it was started on (see {@link Commit.queue}). */
  readonly queue?: string;
}

/** What {@link StateStore.admit} needs besides the queue. */
export interface AdmitOptions {
  /** The admitting runner: it gets the lease of what it admits, and `perRunner` counts by it. */
  readonly owner: string;
  /** The admission time (ms since the epoch): the rate window ends here. */
  readonly now: number;
  /** The lease of each admitted execution lasts until then. */
  readonly expiresAt: number;
  /** At most this many (default 100). */
  readonly limit?: number;
  /** Only queued executions of these workflows (the ones the runner can run); all when absent. */
  readonly workflows?: readonly string[];
}

/** What {@link StateStore.admit} did. */
export interface Admission {
  /** The executions admitted, oldest start first, now `running` and leased to the admitting runner. */
  readonly admitted: readonly ExecutionSummary[];
  /** When the rate window lets the next admission in, if it is full now. */
  readonly retryAt?: number;
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

/** What {@link StateStore.due} looks for. */
export interface DueOptions {
  /** Executions whose `wakeAt` is at or before this time (ms since the epoch). */
  readonly until: number;
  /** At most this many (default 100, at most 1000). */
  readonly limit?: number;
  /** Only executions of these workflows (the ones a runner can run); all when absent. */
  readonly workflows?: readonly string[];
}

/**
 * Durable state of executions: append-only event logs, a summary per execution (its state,
 * what it waits on, who runs it and when it is due), and a cache.
 *
 * Every method is safe to call concurrently. The contract is small on purpose: it is what
 * SQLite (better-sqlite3, sql.js), Cloudflare D1 and IndexedDB can all do in one atomic batch,
 * with no callback transactions (D1 has none; an IndexedDB transaction closes at any unrelated
 * `await`). `nextSummary` is the reference of how a commit changes a summary. Every adapter
 * passes the shared conformance suite in `test/store-conformance.ts`.
 */
export interface StateStore {
  /**
   * Appends `events` to the execution's log atomically, with the summary changes they imply.
   *
   * - Resolves only once the events are durable to the store's standard (for an on-disk store:
   *   they survive `kill -9`; each adapter's doc says what a power cut can lose).
   * - Rejects with `ConflictError`, writing nothing, when the log does not hold exactly
   *   `expectedSeq` events (another writer got there first), or when `lease` is given and
   *   another owner holds a live lease.
   * - Keeps the execution's summary in step with its log, as `nextSummary` does: its state,
   *   counts and times; its lease (taken with `lease.expiresAt`, given up when the commit leaves
   *   it paused or finished); its waits and `wakeAt` (from `suspend`). A commit that suspends
   *   the execution while one of the children it waits on has already finished makes it due at
   *   once (`wakeAt` = the commit's last event time). A commit whose events finish an execution
   *   makes its paused parent due at once, in the same atomic batch.
   * - With `consumes`, marks those inbox events consumed; a suspension waiting on an event of a
   *   name that has a pending inbox event is due at once, like one whose child finished.
   * - Refused with `CancelRequestedError` (nothing written) when a cancellation was asked for and
   *   this commit's events do not end the execution: the runner learns it at its next commit.
   * - An empty commit appends nothing: it checks `expectedSeq`, the lease and a cancellation
   *   (refused like any commit that does not end the execution), and marks its `consumes`.
   */
  commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions): Promise<void>;

  /**
   * Several {@link commit}s as one atomic batch (group commit): all land or none does. They
   * apply in order, so a later commit sees the effects of earlier ones (a child finishing in
   * the batch wakes a parent suspended earlier in it). Rejects with `ConflictError` (or its kind
   * `CancelRequestedError`) if any of them would; the engine then retries them one by one.
   */
  commitBatch(commits: readonly Commit[]): Promise<void>;

  /**
   * How the engine groups this store's commits (default `"turn"`). `"turn"`: the commits asked
   * for in one turn of the event loop go to {@link commitBatch} together, a macrotask later; for
   * a store whose commit blocks the thread (better-sqlite3), where nothing joins a commit once
   * it started. `"in-flight"`: a commit goes to the store at once when none is in flight, and the
   * commits asked for meanwhile go together next; for a store whose commit waits on another
   * thread or process (IndexedDB), where waiting for the turn to end only adds latency.
   */
  readonly groupCommit?: "turn" | "in-flight";

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

  /**
   * The executions that are due by `until` (their `wakeAt` is at or before it), earliest first
   * (then by id): timers that came due, parents whose child finished, running executions whose
   * lease lapsed. One indexed query: it never reads logs, and its cost does not grow with the
   * executions that are not due.
   */
  due(options: DueOptions): Promise<ExecutionSummary[]>;

  /**
   * Appends `event` to the execution's inbox, durably, and resolves with it as kept (its `seq`).
   * When the execution is paused waiting on an event of that name, it is made due at once
   * (`wakeAt` = `event.time`, or earlier if it already was), in the same atomic write. Rejects with `ExecutionNotFoundError`
   * for an unknown execution and `ExecutionFinishedError` for one that ended (nothing written).
   */
  deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent>;

  /** The execution's inbox events no commit consumed yet, in `seq` order (empty when none or unknown). */
  pending(executionId: string): Promise<InboxEvent[]>;

  /**
   * Asks for the execution's cancellation, durably: sets its `cancel` (keeping an earlier one)
   * and, when it is paused, makes it due at once (its runner records the cancellation); a running
   * execution's runner learns it at its next commit (refused: see {@link commit}) or lease
   * renewal (the returned lease carries it). Resolves with the summary as it stands; an ended
   * execution is left as it is. Rejects with `ExecutionNotFoundError` for an unknown execution.
   */
  requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary>;

  /** The cached JSON text under `key`, or `undefined`. */
  getCached(key: string): Promise<string | undefined>;

  /** Stores `value` (JSON text) under `key`, replacing any earlier value. */
  setCached(key: string, value: string): Promise<void>;

  /**
   * Takes, renews or gives up the lease on an execution, atomically: sets it to
   * `(owner, expiresAt)` if there is none, if it expired (its `expiresAt` ≤ `now`), or if `owner`
   * already holds it; otherwise leaves it. Resolves with the lease as it stands afterwards, so
   * the caller holds it exactly when the returned `owner` is its own. Giving it up is renewing it
   * with `expiresAt = now`. Of two concurrent takers of a free lease, exactly one gets it. While
   * the execution is running, its `wakeAt` follows the lease it sets (so an execution whose
   * runner stops renewing comes due for recovery when the lease lapses, and one given up is due
   * at once). Rejects with `ExecutionNotFoundError` for an execution the store does not have.
   * When a cancellation was asked for, the returned lease carries it (`cancel`).
   */
  lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease & { readonly cancel?: CancelRequest }>;

  /**
   * Optional: calls `onWake` when an execution of this store is made due, or given a timer, by
   * any handle on the same data (another process, another machine): a child finished, an event
   * or a resume landed, a cancellation was asked for, a suspension set a timer. It hears the
   * execution ids, or `undefined` when notices may have been missed (look for due work then).
   * Returns the function that stops it. Best effort: a notice may come late or not at all, so
   * the dispatcher that subscribes still polls {@link due} (less often: see
   * `DispatcherOptions.pollInterval`). A store without it is polled only.
   */
  /**
   * Optional (a store without it cannot run queues: the engine refuses a queued start there).
   * Admits queued executions of `queue`, in ONE atomic step that no other admission of the same
   * queue interleaves with, on any handle on the same data: takes the oldest `queued` executions
   * of the queue (by their place in it) that have no cancellation asked for, as many as
   * `admissionRoom` allows from what it counts in that same step (the executions of the queue
   * that hold a slot, i.e. that were admitted and have not ended; those `options.owner`
   * admitted; the admissions within `rate.per` ms before `now`), and makes each `running`,
   * leased to `owner` until `expiresAt` (its `wakeAt` the lease's expiry, as for any running
   * execution, so a runner that dies leaves it to recovery, still holding its slot). Records the
   * admission's time and owner for later counts. Appends no event.
   *
   * A commit whose events end an execution of a queue frees its slot; a store that notifies
   * (`subscribe`) then notifies that execution's id, so that other runners admit at once.
   */
  admit?(queue: Queue, options: AdmitOptions): Promise<Admission>;

  subscribe?(onWake: (executionIds: readonly string[] | undefined) => void): () => void;

  /** Releases the store's resources. Later calls reject. Closing twice is harmless. */
  close(): Promise<void>;
}
