import { ConflictError } from "./errors.js";
import { isTerminal } from "./events.js";
import type { Clock } from "./clock.js";
import { firingId, type ScheduleDefinition } from "./schedule-definition.js";
import type { StateStore } from "./state-store.js";
import type { Workflow } from "./workflow.js";

/** What the scheduler needs of its engine: the store, the clock, and a way to start an execution with an id. */
export interface SchedulerHost {
  readonly store: StateStore;
  readonly clock: Clock;
  /** Starts `workflow` as the execution `executionId` (its start committed), rejecting with `ConflictError` when it exists. */
  start(workflow: Workflow<unknown, unknown>, input: unknown, executionId: string): Promise<void>;
}

/** What `Engine.schedules` tells of one schedule. */
export interface ScheduleStatus {
  readonly name: string;
  readonly workflow: string;
  readonly description: string;
  /** The next firing time after now, ms since the epoch (absent when there is none). */
  readonly next?: number;
}

/**
 * Fires an engine's schedules. A firing starts the schedule's workflow as the execution
 * `<name>:<ISO time>`, so two runners (two `flux start`, two Worker invocations) never start one
 * firing twice: the second's start finds it exists. At each check, only the latest firing time
 * that passed is considered (a runner that was down for three firings starts one: the latest),
 * unless `catchUp` is "none" and it passed before the scheduler started. With `overlap: "skip"`,
 * a firing whose previous firing's execution has not ended is skipped (nothing is recorded).
 */
export class Scheduler {
  readonly #schedules = new Map<string, ScheduleDefinition>();
  /** The latest firing time each schedule dealt with (started, found started, or skipped). */
  readonly #done = new Map<string, number>();
  readonly #since: number;

  /**
   * `since`: when the runner started, for `catchUp: "none"` (default: now). A host whose runner
   * restarts often (a Durable Object evicted between alarms) passes the time it first ran, kept
   * in its storage.
   */
  constructor(readonly host: SchedulerHost, since = host.clock.now()) {
    this.#since = since;
  }

  add(schedule: ScheduleDefinition): void {
    const known = this.#schedules.get(schedule.name);
    if (known !== undefined && known !== schedule) throw new TypeError(`two different schedules are named "${schedule.name}": rename one`);
    this.#schedules.set(schedule.name, schedule);
  }

  get size(): number {
    return this.#schedules.size;
  }

  /** Each schedule with its next firing time. */
  status(): ScheduleStatus[] {
    const now = this.host.clock.now();
    return [...this.#schedules.values()].map((schedule) => {
      const next = schedule.next(now);
      return { name: schedule.name, workflow: schedule.workflow.name, description: schedule.description, ...(next === undefined ? {} : { next }) };
    });
  }

  /** The earliest next firing of any schedule, to wake at (undefined when none). */
  nextFiring(): number | undefined {
    const now = this.host.clock.now();
    let earliest: number | undefined;
    for (const schedule of this.#schedules.values()) {
      const next = schedule.next(now);
      if (next !== undefined && (earliest === undefined || next < earliest)) earliest = next;
    }
    return earliest;
  }

  /** Starts every schedule's latest due firing not dealt with yet; resolves with the execution ids started. */
  async fireDue(): Promise<string[]> {
    const started: string[] = [];
    const now = this.host.clock.now();
    await Promise.all([...this.#schedules.values()].map(async (schedule) => {
      const time = schedule.latest(now);
      if (time === undefined || time <= (this.#done.get(schedule.name) ?? Number.NEGATIVE_INFINITY)) return;
      if (schedule.catchUp === "none" && time < this.#since) return this.#done.set(schedule.name, time);
      if (schedule.overlap === "skip" && (await this.#previousRuns(schedule, time))) return this.#done.set(schedule.name, time);
      const id = firingId(schedule, time);
      try {
        await this.host.start(schedule.workflow, schedule.input, id);
        started.push(id);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error; // another runner started this firing
      }
      this.#done.set(schedule.name, time);
    }));
    return started;
  }

  /** True when the firing before `time` has an execution that has not ended. */
  async #previousRuns(schedule: ScheduleDefinition, time: number): Promise<boolean> {
    const previous = schedule.latest(time - 1);
    if (previous === undefined) return false;
    const summary = await this.host.store.get(firingId(schedule, previous));
    return summary !== undefined && !isTerminal(summary.state);
  }
}
