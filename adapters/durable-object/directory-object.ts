import type { ScheduleDefinition } from "../../src/schedule-definition.js";
import { decodeValue, encodeValue } from "../../src/serialization.js";
import type { ExecutionSummary, ListOptions } from "../../src/state-store.js";
import type { DurableObjectStateLike } from "./durable-object-like.js";
import { DurableObjectSqlDriver } from "./durable-object-sql-driver.js";
import { DurableObjectStore } from "./durable-object-store.js";
import type { DurableWorkerEnv } from "./durable-worker-env.js";
import { ObjectSchedules } from "./object-schedules.js";

const record = `INSERT INTO flux_executions (id, workflow, state, events, created_at, updated_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET workflow = excluded.workflow, state = excluded.state, events = excluded.events,
  updated_at = excluded.updated_at, parent_id = excluded.parent_id
WHERE excluded.events >= flux_executions.events`;

const locate = `WITH RECURSIVE up (id, parent_id, depth) AS (
  SELECT id, parent_id, 0 FROM flux_executions WHERE id = ?
  UNION ALL SELECT e.id, e.parent_id, up.depth + 1 FROM flux_executions e JOIN up ON e.id = up.parent_id WHERE up.depth < 1000
) SELECT COALESCE(parent_id, id) AS root FROM up ORDER BY depth DESC LIMIT 1`;

/** A directory object class as workerd instantiates it. */
export interface DirectoryObjectClass {
  new (ctx: DurableObjectStateLike, env: DurableWorkerEnv): { fetch(request: Request): Promise<Response>; alarm(): Promise<void> };
}

/**
 * The directory Durable Object class (`FluxDirectory` in wrangler.toml): the index of
 * executions across execution objects (see {@link ExecutionDirectory}, its client). It keeps one
 * summary row per execution in the schema of the SQL stores, so listing is `SqlStore.list` with
 * its indexes; it holds no logs and runs no execution.
 *
 * With `schedules`, it fires them by its alarm (no Cron Trigger): its alarm stands at the next
 * firing; at it, each due firing starts in its own execution object, under the id
 * `<name>:<ISO time>`, so a repeated alarm or tick never starts a firing twice. The front arms
 * it (`tick`) on its first request in each isolate, which also starts a firing missed while
 * nothing ran (`catchUp`).
 *
 * @example
 * export const FluxDirectory = directoryObjectClass({ schedules: [nightly] });
 */
export function directoryObjectClass(options: { readonly schedules?: Iterable<ScheduleDefinition> } = {}): DirectoryObjectClass {
  const schedules = [...(options.schedules ?? [])];
  ObjectSchedules.check(schedules);
  return class FluxDirectoryObject {
    readonly #store: DurableObjectStore;
    readonly #driver: DurableObjectSqlDriver;
    readonly #schedules: ObjectSchedules | undefined;

    constructor(ctx: DurableObjectStateLike, env: DurableWorkerEnv) {
      this.#store = new DurableObjectStore(ctx.storage, { description: "the execution directory" });
      this.#driver = new DurableObjectSqlDriver(ctx.storage, "the execution directory");
      this.#schedules = schedules.length === 0 ? undefined : new ObjectSchedules(schedules, ctx.storage, {
        store: this.#store, record: (summaries) => this.#record(summaries),
      }, env);
    }

    async fetch(request: Request): Promise<Response> {
      const op = new URL(request.url).pathname.slice(1);
      try {
        const arg = decodeValue(await request.text());
        await this.#store.ready();
        return answer({ ok: true, value: await this.#run(op, arg) });
      } catch (error) {
        return answer({ ok: false, error });
      }
    }

    /** Fires the schedules' due firings and sets the alarm to the next (a throw makes the platform retry it). */
    async alarm(): Promise<void> {
      if (this.#schedules === undefined) return;
      await this.#store.ready();
      await this.#schedules.tick();
    }

    async #run(op: string, arg: unknown): Promise<unknown> {
      if (op === "list") return this.#store.list(arg as ListOptions);
      if (op === "locate") return (await this.#driver.all({ sql: locate, params: [String(arg)] }))[0]?.root ?? null;
      if (op === "record") return this.#record(arg as ExecutionSummary[]).then(() => null);
      if (op === "tick") return this.#schedules === undefined ? [] : this.#schedules.tick();
      throw new Error(`the execution directory has no operation ${JSON.stringify(op)}`);
    }

    async #record(summaries: ExecutionSummary[]): Promise<void> {
      await this.#store.ready();
      await this.#driver.batch(summaries.map((s) => ({
        sql: record, params: [s.executionId, s.workflow, s.state, s.events, s.createdAt, s.updatedAt, s.parentId ?? null],
      })));
    }
  };
}

/** The directory object's class without schedules (see {@link directoryObjectClass}). */
export const FluxDirectoryObject: DirectoryObjectClass = directoryObjectClass();

function answer(value: unknown): Response {
  return new Response(encodeValue(value), { headers: { "Content-Type": "application/json" } });
}
