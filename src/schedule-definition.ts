import type { Workflow } from "./workflow.js";

/**
 * A schedule as an engine runs it: the workflow to start, with what input, and when. Made by
 * `schedule()` of `flux-ts/schedules` (cron expressions or an interval); the engine needs only
 * this, so the core carries no cron parser.
 */
export interface ScheduleDefinition {
  readonly kind: "schedule";
  /** Unique per engine; part of each firing's execution id. */
  readonly name: string;
  readonly workflow: Workflow<unknown, unknown>;
  readonly input: unknown;
  /** "skip": a firing is skipped while the previous firing's execution has not ended. "allow": it starts anyway. */
  readonly overlap: "skip" | "allow";
  /**
   * Which firing missed while no runner ran starts when one does: "latest" (default: only the
   * latest that passed), or "none" (only firings after the runner started).
   */
  readonly catchUp: "latest" | "none";
  /** The first firing time strictly after `time` (ms since the epoch), or `undefined` when there is none. */
  next(time: number): number | undefined;
  /** The latest firing time at or before `time`, or `undefined` when there is none. */
  latest(time: number): number | undefined;
  /** How it fires, for people: "cron 0 2 * * * (Europe/Paris)", "every 60000 ms". */
  readonly description: string;
}

/**
 * The execution id of `schedule`'s firing at `time`: `<name>:<ISO time>`. The same for every
 * runner, so that two runners never start one firing twice (the second finds it exists).
 */
export function firingId(schedule: Pick<ScheduleDefinition, "name">, time: number): string {
  return `${schedule.name}:${new Date(time).toISOString()}`;
}
