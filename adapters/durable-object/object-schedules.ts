import { systemClock } from "../../src/clock.js";
import { ConflictError } from "../../src/errors.js";
import type { ScheduleDefinition } from "../../src/schedule-definition.js";
import { Scheduler, type SchedulerHost } from "../../src/scheduler.js";
import type { Workflow } from "../../src/workflow.js";
import { tokenVar } from "../worker/worker-vars.js";
import type { DurableObjectStorageLike } from "./durable-object-like.js";
import type { ExecutionSummary } from "../../src/state-store.js";
import type { DurableObjectStore } from "./durable-object-store.js";
import type { DurableWorkerEnv } from "./durable-worker-env.js";

const table = "CREATE TABLE IF NOT EXISTS flux_schedules (name TEXT PRIMARY KEY, since INTEGER NOT NULL)";

/**
 * @internal The schedules of the Durable Object host, fired by the directory object's alarm
 * (no Cron Trigger needed). Each schedule runs in the engine's {@link Scheduler}: a firing
 * starts its workflow as the execution `<name>:<ISO time>` in the execution object of that
 * id, so a repeated alarm, a second tick or a concurrent Cron Trigger finds it exists and
 * never starts it twice.
 *
 * - `since` (for `catchUp: "none"`) is the time the directory first saw the schedule, kept in
 *   its storage: an object evicted between alarms does not forget it.
 * - `overlap: "skip"` reads the previous firing's state from the directory's index (recorded
 *   here as running when the firing starts, then kept by its object's pushes).
 */
export class ObjectSchedules {
  readonly #schedules: readonly ScheduleDefinition[];
  readonly #storage: DurableObjectStorageLike;
  readonly #host: SchedulerHost;
  #schedulers: Scheduler[] | undefined;

  /** `index`: the directory's store (read for overlap) and how it records summaries. */
  constructor(
    schedules: Iterable<ScheduleDefinition>, storage: DurableObjectStorageLike,
    index: { readonly store: DurableObjectStore; record(summaries: ExecutionSummary[]): Promise<void> }, env: DurableWorkerEnv,
  ) {
    this.#schedules = [...schedules];
    this.#storage = storage;
    const token = tokenVar(env.FLUX_API_TOKEN);
    this.#host = {
      store: index.store,
      clock: systemClock,
      start: async (workflow: Workflow<unknown, unknown>, input: unknown, executionId: string) => {
        const url = `https://flux.schedules/${encodeURIComponent(workflow.name)}?execution_id=${encodeURIComponent(executionId)}&wait=false`;
        const stub = env.EXECUTIONS.get(env.EXECUTIONS.idFromName(executionId) as never);
        const response = await stub.fetch(new Request(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
          ...(input === undefined ? {} : { body: JSON.stringify(input) }),
        }));
        // 202: started now; 200: the execution of that id exists (another tick started this firing).
        if (response.status === 200) throw new ConflictError(`execution ${executionId} exists: its firing started already`);
        if (response.status !== 202) throw new Error(`starting the firing ${executionId} of workflow "${workflow.name}" failed: ${response.status} ${await response.text()}`);
        const now = Date.now();
        // Recorded as running at once, for overlap "skip"; the object's pushes (more events) replace it.
        await index.record([{ executionId, workflow: workflow.name, state: "running", events: 1, createdAt: now, updatedAt: now }]);
      },
    };
  }

  /** Throws `TypeError` when two different schedules share a name (checked when the Worker is made, not in the object). */
  static check(schedules: readonly ScheduleDefinition[]): void {
    const byName = new Map<string, ScheduleDefinition>();
    for (const schedule of schedules) {
      if ((byName.get(schedule.name) ?? schedule) !== schedule) throw new TypeError(`two different schedules are named "${schedule.name}": rename one`);
      byName.set(schedule.name, schedule);
    }
  }

  /** Starts each schedule's due firing, then sets the object's alarm to the next firing. Resolves with the ids started. */
  async tick(): Promise<string[]> {
    const schedulers = this.#schedulersOf();
    try {
      return (await Promise.all(schedulers.map((scheduler) => scheduler.fireDue()))).flat();
    } finally {
      await this.#arm(schedulers);
    }
  }

  async #arm(schedulers: Scheduler[]): Promise<void> {
    const next = schedulers.map((scheduler) => scheduler.nextFiring()).filter((time): time is number => time !== undefined);
    if (next.length === 0) return;
    await this.#storage.setAlarm(Math.max(Math.min(...next), Date.now()));
  }

  /** One scheduler per schedule, each with the time the directory first saw it. */
  #schedulersOf(): Scheduler[] {
    if (this.#schedulers !== undefined) return this.#schedulers;
    const sql = this.#storage.sql;
    const now = Date.now();
    this.#schedulers = this.#storage.transactionSync(() => {
      sql.exec(table);
      return this.#schedules.map((schedule) => {
        sql.exec("INSERT INTO flux_schedules (name, since) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", schedule.name, now);
        const since = Number(sql.exec("SELECT since FROM flux_schedules WHERE name = ?", schedule.name).toArray()[0]!.since);
        const scheduler = new Scheduler(this.#host, since);
        scheduler.add(schedule);
        return scheduler;
      });
    });
    return this.#schedulers;
  }
}
