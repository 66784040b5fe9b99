/**
 * `flux-ts/schedules`: workflows started on a schedule, by cron expression (5 fields, an optional
 * IANA time zone; parsed by croner) or at a fixed interval. Register a schedule on an engine
 * (`new Engine({ schedules })`, `engine.schedule()`), or export it from a file `flux start`
 * serves; the engine's dispatcher (and a Worker's Cron Trigger) fires it.
 *
 * @example
 * import { schedule } from "flux-ts/schedules";
 * export const nightly = schedule(report, { cron: "0 2 * * *", timezone: "Europe/Paris" });
 */
import { Cron } from "croner";
import { UsageError } from "../errors.js";
import type { ScheduleDefinition } from "../schedule-definition.js";
import type { Workflow } from "../workflow.js";

export type { ScheduleDefinition } from "../schedule-definition.js";

/** Options of {@link schedule}: exactly one of `cron` and `every`. */
export interface ScheduleOptions<I> {
  /** A cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *". */
  readonly cron?: string;
  /** The IANA time zone `cron` is read in (default UTC), e.g. "Europe/Paris". */
  readonly timezone?: string;
  /** An interval in ms: firings at every multiple of it since the epoch. */
  readonly every?: number;
  /** The input each firing starts the workflow with. */
  readonly input?: I;
  /** The schedule's name, unique per engine (default: the workflow's name). */
  readonly name?: string;
  /** "skip" (default): a firing is skipped while the previous firing's execution runs; "allow": it starts anyway. */
  readonly overlap?: "skip" | "allow";
  /** "latest" (default): the latest firing missed while no runner ran starts when one does; "none": none does. */
  readonly catchUp?: "latest" | "none";
}

/**
 * A schedule of `workflow`: each firing starts an execution whose id is `<name>:<ISO time>`, the
 * same on every runner, so a firing never starts twice. Throws `UsageError` for a bad cron
 * expression, time zone or interval, naming it.
 *
 * @example
 * schedule(cleanup, { every: 3_600_000, input: { olderThanDays: 30 } });
 */
export function schedule<I>(workflow: Workflow<I, unknown>, options: ScheduleOptions<I>): ScheduleDefinition {
  if ((options.cron === undefined) === (options.every === undefined)) throw new UsageError(`schedule of workflow "${workflow.name}" needs exactly one of cron and every`);
  const name = options.name ?? workflow.name;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`invalid schedule name ${JSON.stringify(name)}: use letters, digits, "_", "-" and "."`);
  const base = {
    kind: "schedule" as const,
    name,
    workflow: workflow as Workflow<unknown, unknown>,
    input: options.input,
    overlap: options.overlap ?? "skip",
    catchUp: options.catchUp ?? "latest",
  };
  if (options.every !== undefined) {
    const every = options.every;
    if (!Number.isInteger(every) || every < 1000) throw new UsageError(`schedule "${name}": every must be a whole number of ms ≥ 1000, not ${every}`);
    return {
      ...base,
      description: `every ${every} ms`,
      next: (time) => (Math.floor(time / every) + 1) * every,
      latest: (time) => Math.floor(time / every) * every,
    };
  }
  const expression = options.cron!;
  const timezone = options.timezone;
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, ...(timezone === undefined ? {} : { timezone }) });
    cron.nextRun();
  } catch (error) {
    throw new UsageError(`schedule "${name}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (expression.trim().split(/\s+/).length !== 5) throw new UsageError(`schedule "${name}": use a cron expression of 5 fields (minute hour day-of-month month day-of-week), not ${JSON.stringify(expression)}`);
  return {
    ...base,
    description: `cron ${expression}${timezone === undefined ? "" : ` (${timezone})`}`,
    next: (time) => cron.nextRun(new Date(time))?.getTime(),
    latest: (time) => {
      const [previous] = cron.previousRuns(1, new Date(time + 1));
      return previous?.getTime();
    },
  };
}
