import type { BackgroundWork } from "./background-work.js";
import type { Clock } from "./clock.js";
import { ConflictError, ExecutionNotFoundError, ShuttingDownError, UsageError } from "./errors.js";
import { isTerminal } from "./events.js";
import type { WorkflowExecutionContext } from "./execution-context.js";
import { sameLimits, type Queue } from "./queue.js";
import type { ExecutionSummary, StateStore } from "./state-store.js";

type Context = WorkflowExecutionContext<unknown, unknown>;

/** What the admitter needs of its engine. */
export interface AdmitHost {
  readonly store: StateStore;
  readonly clock: Clock;
  /** Where its admissions and the runs they start are counted in flight (`Engine.settled`). */
  readonly background: BackgroundWork;
  /** This runner's identity in leases, and how long a lease lasts (ms). */
  readonly owner: string;
  readonly leaseTtl: number;
  /** The workflows this engine can run: it admits queued executions of these only. */
  workflowNames(): string[];
  /** Runs an admitted execution (running, leased to this runner) to its end or next suspension. */
  run(summary: ExecutionSummary): Promise<Context>;
  /** The run of `executionId` in progress on this engine, if any. */
  runOf(executionId: string): Promise<Context> | undefined;
  /** The execution as recorded. */
  inspect(executionId: string): Promise<Context>;
  /** True once the engine closes: nothing more is admitted. */
  closing(): boolean;
  /** Reports an admission that failed (it is tried again at the next kick or poll). */
  onError(error: unknown, what: string): void;
}

/**
 * @internal The queues an engine knows, and their admission: it asks the store to admit queued
 * executions of a queue (`StateStore.admit`, one atomic step, so every runner on the store
 * keeps the limits) and runs what it admitted. Admissions of one queue on this engine take
 * turns, and kicks that come while one is on its way join the next one. It is kicked when a
 * start is queued here, when an execution of the queue ends on this engine (its slot is free), by the dispatcher
 * (its poll, and store notices of ended queued executions), and at the time a full rate window
 * lets the next admission in.
 */
export class QueueAdmitter {
  readonly #host: AdmitHost;
  readonly #queues = new Map<string, Queue>();
  /** Per queue: the admission on its way, and the one waiting behind it (which later kicks join). */
  readonly #current = new Map<string, Promise<Promise<Context>[]>>();
  readonly #next = new Map<string, Promise<Promise<Context>[]>>();
  readonly #runs = new Map<string, Promise<Context>>();
  readonly #retries = new Map<string, AbortController>();
  readonly #waiters = new Set<AbortController>();
  /** When an admission of each queue last started on this engine. */
  readonly #asked = new Map<string, number>();

  constructor(host: AdmitHost) {
    this.#host = host;
  }

  /** Learns `queue`; a second declaration of its name with other limits is a `UsageError`. */
  declare(queue: Queue): void {
    const known = this.#queues.get(queue.name);
    if (known !== undefined && known !== queue && !sameLimits(known, queue)) {
      throw new UsageError(`queue "${queue.name}" is declared twice with different limits: declare it once (queue()) and share it`);
    }
    this.#queues.set(queue.name, known ?? queue);
  }

  /** Throws a `UsageError` when the store cannot admit (it has no `admit`). */
  assertSupported(queue: Queue): void {
    if (this.#host.store.admit !== undefined) return;
    const store = (this.#host.store as { description?: unknown }).description ?? this.#host.store.constructor.name;
    throw new UsageError(
      `queue "${queue.name}" needs a store that admits queued executions, and ${String(store)} does not: ` +
        "use the memory, SQLite, sql.js, D1, Durable Object or PostgreSQL store, or start the workflow without a queue",
    );
  }

  /**
   * The queue a new start of `workflow` waits in (`override`, else the workflow's), learnt and
   * checked against the store (`UsageError` when it cannot admit); `undefined` for none.
   */
  queueOf(workflow: { readonly queue: Queue | undefined }, override: Queue | undefined): Queue | undefined {
    const queue = override ?? workflow.queue;
    if (queue === undefined) return undefined;
    this.assertSupported(queue);
    this.declare(queue);
    return queue;
  }

  /**
   * A queued start, as `engine.start` answers it (`queued: true`): `kick`, when it was just
   * queued here, has its queue admit what it can now; `result` waits for its end (see
   * {@link settled}) only once it is read, so a caller that never reads it (HTTP `?wait=false`)
   * costs no polling.
   */
  started(executionId: string, kick?: Queue): { executionId: string; readonly result: Promise<Context>; queued: true } {
    if (kick !== undefined) void this.kick(kick.name);
    let result: Promise<Context> | undefined;
    const settle = () => this.settled(executionId);
    return {
      executionId,
      queued: true,
      get result() {
        result ??= settle();
        return result;
      },
    };
  }

  /** The known queues' names. */
  names(): string[] {
    return [...this.#queues.keys()];
  }

  /** The known queue named `name`. */
  find(name: string): Queue | undefined {
    return this.#queues.get(name);
  }

  /** Admits what the queue `name` lets in now and starts it; resolves with the runs started. */
  kick(name: string): Promise<Promise<Context>[]> {
    const waiting = this.#next.get(name);
    if (waiting !== undefined) return waiting;
    const before = this.#current.get(name) ?? Promise.resolve([]);
    const next = before.catch(() => []).then(() => {
      this.#next.delete(name);
      return this.#admitOnce(name);
    });
    this.#next.set(name, next);
    this.#current.set(name, next);
    return this.#host.background.track(next);
  }

  /** {@link kick} for every known queue; resolves with every run started. */
  async kickAll(): Promise<Promise<Context>[]> {
    return (await Promise.all(this.names().map((name) => this.kick(name)))).flat();
  }

  /**
   * Resolves as `engine.run` would for the queued execution `executionId`: with its run's
   * context when this engine runs it, else (another runner admitted it) once the store shows it
   * paused or ended, as recorded. Looks again at growing intervals (20 ms to 1 s), and at once
   * when this engine admits something; while it is still queued, asks its queue again (so an
   * engine without a dispatcher, `flux exec`, gets it admitted once another process frees a slot).
   */
  async settled(executionId: string): Promise<Context> {
    let delay = 20;
    for (;;) {
      const run = this.#runs.get(executionId) ?? this.#host.runOf(executionId);
      if (run !== undefined) return run;
      const summary = await this.#host.store.get(executionId);
      if (summary === undefined) throw new ExecutionNotFoundError(`execution ${executionId} vanished from the store while it waited in its queue`);
      if (summary.state === "paused" || isTerminal(summary.state)) return this.#host.inspect(executionId);
      // Still waiting: ask its queue again (a slot another process freed is news only to a
      // dispatcher; this engine may run none), at most once per interval for all its waiters.
      if (summary.state === "queued" && summary.queue !== undefined) this.#askAgain(summary.queue, delay);
      const poke = new AbortController();
      this.#waiters.add(poke);
      await this.#host.clock.sleep(delay, poke.signal).catch(() => undefined);
      this.#waiters.delete(poke);
      delay = Math.min(1000, delay * 2);
    }
  }

  /** Stops the retry timers; admissions on their way finish, and nothing more is admitted (`closing`). */
  stop(): void {
    for (const timer of this.#retries.values()) timer.abort();
    this.#retries.clear();
    for (const poke of this.#waiters) poke.abort();
  }

  async #admitOnce(name: string): Promise<Promise<Context>[]> {
    const queue = this.#queues.get(name);
    const { store, clock, owner, leaseTtl } = this.#host;
    if (queue === undefined || store.admit === undefined || this.#host.closing()) return [];
    this.#asked.set(name, clock.now());
    const workflows = this.#host.workflowNames();
    if (workflows.length === 0) return [];
    let admission;
    try {
      const now = clock.now();
      admission = await store.admit(queue, { owner, now, expiresAt: now + leaseTtl, workflows });
    } catch (error) {
      this.#host.onError(error, `(queue ${name})`);
      return [];
    }
    if (admission.retryAt !== undefined) this.#retryAt(name, admission.retryAt);
    const runs = admission.admitted.map((summary) => {
      // It stays admitted (running, leased) whatever happens here: if this run fails, its lease
      // lapses and recovery runs it, in its slot.
      let run: Promise<Context>;
      try {
        run = this.#host.run(summary);
      } catch (error) {
        run = Promise.reject(error);
      }
      this.#runs.set(summary.executionId, this.#host.background.track(run));
      // Its end, when it frees the slot, kicks the queue from the engine (as any end of an
      // execution of a queue run here does, admitted here or not).
      run.catch((error: unknown) => {
        if (!(error instanceof ConflictError || error instanceof ShuttingDownError)) this.#host.onError(error, summary.executionId);
      }).finally(() => this.#runs.delete(summary.executionId));
      return run;
    });
    if (runs.length > 0) for (const poke of this.#waiters) poke.abort();
    return runs;
  }

  /** Kicks the queue `name` unless an admission of it started on this engine less than `interval` ms ago. */
  #askAgain(name: string, interval: number): void {
    const last = this.#asked.get(name);
    if (last !== undefined && this.#host.clock.now() - last < interval) return;
    void this.kick(name);
  }

  /** Kicks the queue `name` at `time` (a full rate window lets the next admission in then). */
  #retryAt(name: string, time: number): void {
    if (this.#retries.has(name) || this.#host.closing()) return;
    const timer = new AbortController();
    this.#retries.set(name, timer);
    this.#host.clock.sleep(Math.max(0, time - this.#host.clock.now()), timer.signal).then(() => {
      this.#retries.delete(name);
      void this.kick(name);
    }, () => undefined);
  }
}
