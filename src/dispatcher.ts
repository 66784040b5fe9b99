import type { BackgroundWork } from "./background-work.js";
import type { Clock } from "./clock.js";
import { isTerminal } from "./events.js";
import type { ExecutionSummary, StateStore } from "./state-store.js";

/** Options of the dispatcher (`engine.startDispatcher`). */
export interface DispatcherOptions {
  /** How many due executions it runs at once (default 100). */
  readonly concurrency?: number;
  /**
   * How often it asks the store what comes due (ms; default 1000, or 10000 on a store that
   * notifies: `StateStore.subscribe`). Each ask is one indexed query that also returns what
   * comes due before the next one, so a timer is woken at its due time, not up to an interval
   * late. What this engine suspends or finishes itself is woken without it; on a store that
   * notifies, so is what other processes make due, and the poll is the safety net (and what
   * finds executions whose runner died, once their lease lapsed).
   */
  readonly pollInterval?: number;
}

/** What the dispatcher needs of its engine. */
export interface DispatchHost {
  readonly store: StateStore;
  readonly clock: Clock;
  /** Where the wakes it starts on its own (kicks, notices, its timers) are counted in flight (`Engine.settled`). */
  readonly background: BackgroundWork;
  /** The workflows this engine can run (due executions of others are left to other runners). */
  workflowNames(): string[];
  isRunning(executionId: string): boolean;
  /** Claims and runs a due execution; resolves true if it ran it, false if there was nothing to do or another runner has it. */
  wake(summary: ExecutionSummary): Promise<boolean>;
  /** Reports a wake that failed (the execution is retried later, with backoff). */
  onError(error: unknown, executionId: string): void;
  /** Starts the schedules' firings that came due; resolves once the runs they started ended or suspended. */
  fireSchedules(): Promise<unknown>;
  /** The next schedule firing time, if any. */
  nextFiring(): number | undefined;
  /**
   * Admits queued executions of the queue `name` (of every queue this engine knows, without it)
   * as far as its limits allow, and starts them; resolves with their runs.
   */
  admitQueued(name?: string): Promise<Promise<unknown>[]>;
}

const MAX_BACKOFF = 300_000;

/**
 * Wakes executions when they come due: timers, parents whose child finished, runs whose lease
 * lapsed. It finds them with the store's one indexed query (`due`), never by reading logs, so an
 * idle engine costs one small query per poll however many executions wait; it starts each at its
 * wake time, several at once up to `concurrency`; each is claimed by lease, so several runners
 * on one store share the work without running anything twice. A wake that fails is retried with
 * a backoff (1 s, doubling, at most 5 min) instead of at every poll. Each poll (and each store
 * notice of an ended execution of a queue) also has the engine admit queued executions.
 */
export class Dispatcher {
  readonly #host: DispatchHost;
  readonly #concurrency: number;
  readonly #pollInterval: number;
  readonly #queued = new Map<string, ExecutionSummary>();
  readonly #timers = new Map<string, AbortController>();
  readonly #active = new Map<string, Promise<boolean>>();
  readonly #backoff = new Map<string, { until: number; delay: number }>();
  #stop: AbortController | undefined;
  #stopped = false;
  /** Ends the loop's sleep early (a store notice came: poll now). */
  #pollNow: AbortController | undefined;
  #noticed = false;
  #unsubscribe: (() => void) | undefined;

  constructor(host: DispatchHost, options: DispatcherOptions = {}) {
    this.#host = host;
    this.#concurrency = Math.max(1, options.concurrency ?? 100);
    this.#pollInterval = Math.max(10, options.pollInterval ?? (host.store.subscribe === undefined ? 1000 : 10_000));
  }

  /** True while the poll loop runs. */
  get started(): boolean {
    return this.#stop !== undefined;
  }

  /** Starts the poll loop (once), and listens to the store's notices when it gives them. */
  start(): void {
    if (this.#stop !== undefined || this.#stopped) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#unsubscribe = this.#host.store.subscribe?.((ids) => this.#hear(ids));
    void this.#loop(stop.signal);
  }

  /** Stops the loop and every pending timer; runs in progress go on (the engine's close stops them). */
  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#stop?.abort();
    for (const timer of this.#timers.values()) timer.abort();
    this.#timers.clear();
    this.#queued.clear();
  }

  /** Looks at `executionId` now (a child of it just finished, say): runs it if it is due. */
  kick(executionId: string): void {
    if (this.#stopped) return;
    void this.#host.background.track(this.#host.store.get(executionId).then((summary) => {
      if (summary?.wakeAt !== undefined && summary.wakeAt <= this.#host.clock.now()) this.#enqueue(summary);
    }, (error: unknown) => this.#host.onError(error, executionId)));
  }

  /**
   * One pass: runs every execution due now (in pages of 1,000), at most `concurrency` at once,
   * and resolves with how many it ran once they, and the wakes they caused (a parent whose child
   * they finished), all ended (finished or suspended again).
   */
  async runOnce(): Promise<number> {
    const seen = new Set<string>();
    let woken = 0;
    await this.#host.fireSchedules();
    const admitted = await this.#host.admitQueued();
    woken += (await Promise.all(admitted.map((run) => run.then(() => true, () => false)))).filter(Boolean).length;
    for (;;) {
      const due = await this.#due(this.#host.clock.now());
      const fresh = due.filter((summary) => !seen.has(summary.executionId) && this.#runnable(summary.executionId));
      for (const summary of fresh) seen.add(summary.executionId);
      const results = await mapLimited(fresh, this.#concurrency, (summary) => this.#wake(summary));
      woken += results.filter(Boolean).length;
      // Wakes these runs caused (a finished child's parent) are part of the pass: a Worker's
      // Cron Trigger must not end before them.
      while (this.#active.size > 0 || this.#queued.size > 0) {
        const more = await Promise.all([...this.#active.values()]);
        woken += more.filter(Boolean).length;
        if (this.#active.size === 0 && this.#queued.size > 0) this.#drain();
      }
      if (due.length < 1000 || fresh.length === 0) return woken;
    }
  }

  /**
   * A store notice: the executions `ids` were made due or given a timer (each is scheduled at
   * its wake time, if it is of a workflow this engine runs), or, for `undefined`, notices may
   * have been missed: the loop polls now.
   */
  #hear(ids: readonly string[] | undefined): void {
    if (this.#stopped) return;
    if (ids === undefined || ids.length === 0) {
      this.#noticed = true;
      this.#pollNow?.abort();
      return;
    }
    const names = new Set(this.#host.workflowNames());
    for (const id of ids) {
      if (!this.#runnable(id)) continue;
      void this.#host.background.track(this.#host.store.get(id).then((summary) => {
        // An execution of a queue ended (its slot is free for the next one) or was queued.
        if (summary?.queue !== undefined && (isTerminal(summary.state) || summary.state === "queued")) void this.#host.admitQueued(summary.queue);
        if (summary?.wakeAt === undefined || !names.has(summary.workflow)) return;
        // Due now: at once, even when a timer waits for an earlier wake time of it (a child
        // finished before its sleep ended); later: at its wake time.
        if (summary.wakeAt <= this.#host.clock.now()) this.#enqueue(summary);
        else this.#schedule(summary);
      }, (error: unknown) => this.#host.onError(error, id)));
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#noticed = false;
      const horizon = this.#host.clock.now() + this.#pollInterval;
      try {
        void this.#host.fireSchedules().catch((error: unknown) => this.#host.onError(error, "(schedules)"));
        void this.#host.admitQueued();
        for (const summary of await this.#due(horizon)) this.#schedule(summary);
      } catch (error) {
        this.#host.onError(error, "");
      }
      // Sleep until the next poll, or the next schedule firing if it comes first.
      if (this.#noticed) continue; // a notice came during the poll: poll again
      const firing = this.#host.nextFiring();
      const wait = Math.max(0, Math.min(horizon, firing ?? horizon) - this.#host.clock.now());
      const pollNow = new AbortController();
      const stop = () => pollNow.abort();
      signal.addEventListener("abort", stop, { once: true });
      if (signal.aborted) pollNow.abort(); // stopped during the poll: no sleep (its timer would keep the process alive)
      this.#pollNow = pollNow;
      await this.#host.clock.sleep(wait, pollNow.signal).catch(() => undefined);
      this.#pollNow = undefined;
      signal.removeEventListener("abort", stop);
    }
  }

  #due(until: number): Promise<ExecutionSummary[]> {
    return this.#host.store.due({ until, limit: 1000, workflows: this.#host.workflowNames() });
  }

  #runnable(executionId: string): boolean {
    if (this.#host.isRunning(executionId) || this.#active.has(executionId)) return false;
    const backoff = this.#backoff.get(executionId);
    return backoff === undefined || backoff.until <= this.#host.clock.now();
  }

  /** Starts `summary` at its wake time (at once when it is due). */
  #schedule(summary: ExecutionSummary): void {
    const { executionId } = summary;
    if (this.#timers.has(executionId) || this.#queued.has(executionId) || !this.#runnable(executionId)) return;
    const wait = (summary.wakeAt ?? 0) - this.#host.clock.now();
    if (wait <= 0) return this.#enqueue(summary);
    const timer = new AbortController();
    this.#timers.set(executionId, timer);
    this.#host.clock.sleep(wait, timer.signal).then(() => {
      this.#timers.delete(executionId);
      this.#enqueue(summary);
    }, () => undefined);
  }

  #enqueue(summary: ExecutionSummary): void {
    if (this.#stopped || !this.#runnable(summary.executionId)) return;
    this.#queued.set(summary.executionId, summary);
    this.#drain();
  }

  #drain(): void {
    for (const [executionId, summary] of this.#queued) {
      if (this.#active.size >= this.#concurrency) return;
      this.#queued.delete(executionId);
      if (!this.#runnable(executionId)) continue;
      void this.#wake(summary).finally(() => this.#drain());
    }
  }

  #wake(summary: ExecutionSummary): Promise<boolean> {
    const { executionId } = summary;
    const running = this.#host.wake(summary).then((ran) => {
      this.#backoff.delete(executionId);
      return ran;
    }, (error: unknown) => {
      const delay = Math.min(MAX_BACKOFF, (this.#backoff.get(executionId)?.delay ?? 500) * 2);
      this.#backoff.set(executionId, { until: this.#host.clock.now() + delay, delay });
      this.#host.onError(error, executionId);
      return false;
    }).finally(() => this.#active.delete(executionId));
    this.#active.set(executionId, running);
    // Tracked before `#drain` chains the next queued wake onto it: no gap between the two.
    return this.#host.background.track(running);
  }
}

/** `fn` over `items`, at most `limit` at a time; results in item order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
