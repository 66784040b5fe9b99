import { task, workflow, type WorkflowExecutionContext } from "flux-ts";
import { schedule } from "flux-ts/schedules";

/** Stands for building a report of the day. */
export const buildReport = task("build_report", async (kind: string) => `${kind} report built`);

/** Builds a report; `nightly` below starts it every night at 02:00 Paris time. */
export const nightlyReport = workflow("nightly_report", async (ctx: WorkflowExecutionContext<{ kind: string }>) => ctx.run(buildReport, ctx.input.kind));

/**
 * Fired by `flux start` (or a Worker's Cron Trigger): each firing starts `nightly_report` as the
 * execution `nightly:<ISO time>`, once whatever the number of runners. `catchUp: "none"`: a night
 * that passed while no runner ran is not made up for (`flux start examples` fires nothing at once).
 * `flux schedules examples` shows its next firing.
 */
export const nightly = schedule(nightlyReport, { name: "nightly", cron: "0 2 * * *", timezone: "Europe/Paris", input: { kind: "daily" }, catchUp: "none" });
