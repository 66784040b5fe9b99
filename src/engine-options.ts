import type { OutputStorage } from "./blobs/value-storage.js";
import type { Clock } from "./clock.js";
import type { DispatcherOptions } from "./dispatcher.js";
import type { Queue } from "./queue.js";
import type { ScheduleDefinition } from "./schedule-definition.js";
import type { SecretProvider } from "./secrets.js";
import type { StateStore } from "./state-store.js";
import type { Workflow } from "./workflow.js";

/** What an engine runs on. Every part has a default: memory store, no secrets, the system clock. */
export interface EngineOptions {
  readonly store?: StateStore;
  readonly secrets?: SecretProvider;
  readonly clock?: Clock;
  /**
   * A durable sleep longer than this many ms suspends the execution (state "paused", with a
   * wake time) instead of holding the process; `wakeDue()` runs it again once due. Default:
   * no limit (sleeps are held). A Worker sets a few seconds and calls `wakeDue` from a Cron Trigger.
   */
  readonly holdSleepsUpTo?: number;
  /**
   * Every durable call must find its step already recorded (else `NonDeterminismError`): for
   * verifying recorded histories against code (see `replayHistory`), never for live runs.
   */
  readonly strictReplay?: boolean;
  /**
   * How long a runner's lease on an execution lasts without renewal (ms, default 30 s; renewed
   * every third of it). Another runner recovers an execution only once its lease lapsed.
   */
  readonly leaseTtl?: number;
  /**
   * Bounded memory for runs with large values (default: off, every value kept). A running
   * execution keeps in memory the values of its log that encode to at most this many characters;
   * longer ones are released once recorded (the store keeps them, and replay reads them as it
   * reaches their step). Reading such a value through `ctx.events` of a run then throws a
   * `UsageError` that says to read it with `engine.inspect` (which keeps every value it loads).
   * 4096 keeps a run of 20,000 steps with 10 KB outputs near 100 MB.
   */
  readonly releaseValuesOver?: number;
  /**
   * Where values too large for the log go (default: none, every value is recorded in the log).
   * A value whose JSON text is longer than `threshold` characters (default 256 KiB) is written
   * once to `blobs` and the log records a reference; replay and inspection fetch it. A task can
   * keep its values inline or set its own threshold (`task({ outputStorage })`). Secrets are
   * redacted before a value is written anywhere.
   *
   * @example
   * new Engine({ store, outputStorage: { blobs: new FileBlobStore(".flux/blobs") } })
   */
  readonly outputStorage?: OutputStorage;
  /**
   * The hard limit on one recorded value: its JSON text in characters (default 64 Mi). A task
   * whose arguments or result are longer fails with a `ValueTooLargeError` naming the task and the
   * size; nothing is recorded.
   */
  readonly valueLimit?: number;
  /** This engine's identity in leases (default: a random id). */
  readonly runnerId?: string;
  /** Workflows to register (by name), for lookups by the CLI and the HTTP API. */
  readonly workflows?: Iterable<Workflow<unknown, unknown>>;
  /** Queues to know (see `queue()`) besides those of registered workflows: this engine admits their executions. */
  readonly queues?: Iterable<Queue>;
  /** Schedules to register (see `schedule()` of `flux-ts/schedules`); their workflows are registered too. */
  readonly schedules?: Iterable<ScheduleDefinition>;
  /** How the dispatcher (`startDispatcher`, `wakeDue`) runs due executions: concurrency and poll interval. */
  readonly dispatcher?: DispatcherOptions;
  /**
   * Whether the engine runs an execution that came due because of something it saw itself (a
   * child's end, an event it delivered, a suspension whose wait was already answered) at once,
   * with the workflow it knows by that name (default true). False leaves those executions due for
   * `wakeDue`/`startDispatcher` or the caller (the playground runs each under its tab's lock,
   * with the code it was started with).
   */
  readonly wakeOnItsOwn?: boolean;
  /** Called when the dispatcher fails to wake an execution (it retries with a backoff). Default: `console.error`. */
  readonly onDispatchError?: (error: unknown, executionId: string) => void;
}

/** Options of `Engine.close`. */
export interface CloseOptions {
  /**
   * How long running steps may take to finish and commit before the engine gives up on them
   * (ms, default 10,000). Their runs are then cut off: those steps run again on the next runner.
   */
  readonly grace?: number;
}

/** Options of a run. */
export interface RunOptions {
  /**
   * Replay (or resume) this execution. When no execution has this id, a new one starts with
   * it (an idempotency key: its start is committed before any step runs).
   */
  readonly executionId?: string;
  /**
   * The queue this start waits in, instead of the workflow's own (see `queue()`). Only a new
   * execution's start is queued; running an existing one again does not queue it.
   */
  readonly queue?: Queue;
}
