import { UsageError } from "./errors.js";

/** How many admissions a queue allows per window: at most `limit` in any `per` milliseconds. */
export interface QueueRate {
  readonly limit: number;
  /** The window's length, in ms. */
  readonly per: number;
}

/** The limits of a queue, as {@link queue} takes them. */
export interface QueueOptions {
  /** How many executions of the queue may hold a slot at once, across every runner on the store. */
  readonly concurrency: number;
  /** How many of them one runner may hold at once (default: `concurrency`). */
  readonly perRunner?: number;
  /** At most `limit` admissions in any window of `per` ms, across every runner. */
  readonly rate?: QueueRate;
}

/**
 * A named queue with its limits (see {@link queue}), as a store's `admit` takes it. Every runner
 * on one store must declare a queue of a name with the same limits: each runner admits by the
 * limits it knows.
 */
export interface Queue extends QueueOptions {
  readonly name: string;
}

/**
 * Declares a named queue: flow control across every runner on one store. A start of a workflow
 * on a queue (`workflow(name, body, { queue })`, or `RunOptions.queue`) is recorded at once in
 * state `queued` and runs only once admitted: oldest start first, while fewer than
 * `concurrency` executions of the queue hold a slot (at most `perRunner` of them admitted by one
 * runner) and fewer than `rate.limit` were admitted in the last `rate.per` ms. A slot is held
 * from admission until the execution ends (succeeded, failed or cancelled): a paused or
 * sleeping execution keeps it. Throws `UsageError` for a bad name or limit.
 *
 * @example
 * const emails = queue("emails", { concurrency: 10, perRunner: 2, rate: { limit: 100, per: 60_000 } });
 * const sendEmail = workflow("send_email", body, { queue: emails });
 */
export function queue(name: string, options: QueueOptions): Queue {
  if (typeof name !== "string" || !/^[A-Za-z0-9_.:-]{1,100}$/.test(name)) {
    throw new UsageError(`invalid queue name ${JSON.stringify(name)}: use 1 to 100 letters, digits, "_", "-", ".", ":"`);
  }
  if (typeof options !== "object" || options === null) throw new UsageError(`queue "${name}" needs its limits: queue("${name}", { concurrency: 10 })`);
  const { concurrency, perRunner, rate } = options;
  positiveInteger(name, "concurrency", concurrency);
  if (perRunner !== undefined) positiveInteger(name, "perRunner", perRunner);
  if (rate !== undefined) {
    if (typeof rate !== "object" || rate === null) throw new UsageError(`queue "${name}": rate must be { limit, per }, e.g. { limit: 100, per: 60_000 }`);
    positiveInteger(name, "rate.limit", rate.limit);
    if (typeof rate.per !== "number" || !Number.isFinite(rate.per) || rate.per <= 0) {
      throw new UsageError(`queue "${name}": rate.per must be a window length in ms greater than 0, not ${String(rate.per)}`);
    }
  }
  return Object.freeze({
    name,
    concurrency,
    ...(perRunner === undefined ? {} : { perRunner }),
    ...(rate === undefined ? {} : { rate: Object.freeze({ limit: rate.limit, per: rate.per }) }),
  });
}

function positiveInteger(name: string, option: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`queue "${name}": ${option} must be a whole number of at least 1, not ${String(value)}`);
  }
}

/** True when `a` and `b` have the same limits (a queue declared twice must be declared alike). */
export function sameLimits(a: Queue, b: Queue): boolean {
  return a.concurrency === b.concurrency && a.perRunner === b.perRunner && a.rate?.limit === b.rate?.limit && a.rate?.per === b.rate?.per;
}

/** What a store counted of a queue, inside its admission's atomic step. */
export interface QueueCounts {
  /** Executions of the queue that hold a slot: admitted and not ended. */
  readonly holding: number;
  /** Those of them the admitting runner admitted. */
  readonly holdingByOwner: number;
  /** Admissions of the queue whose time is within the rate window (after `now - rate.per`); 0 without a rate. */
  readonly inWindow: number;
}

/**
 * How many queued executions an admission may take now: the least of the free slots, the
 * admitting runner's free slots, the rate window's remaining budget and `limit`; never below 0.
 * The one rule every store's `admit` follows.
 */
export function admissionRoom(queue: Queue, counts: QueueCounts, limit: number): number {
  const perRunner = queue.perRunner ?? queue.concurrency;
  let room = Math.min(limit, queue.concurrency - counts.holding, perRunner - counts.holdingByOwner);
  if (queue.rate !== undefined) room = Math.min(room, queue.rate.limit - counts.inWindow);
  return Math.max(0, room);
}

/**
 * When the rate window lets the next admission in, given the admission times within the window
 * at `now` (the new ones included): the oldest's time plus the window; `undefined` when the
 * window is not full (or the queue has no rate).
 */
export function rateRetryAt(queue: Queue, timesInWindow: readonly number[]): number | undefined {
  if (queue.rate === undefined || timesInWindow.length < queue.rate.limit) return undefined;
  return Math.min(...timesInWindow) + queue.rate.per;
}
