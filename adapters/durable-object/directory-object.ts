import { decodeValue, encodeValue } from "../../src/serialization.js";
import type { ExecutionSummary, ListOptions } from "../../src/state-store.js";
import type { DurableObjectStateLike } from "./durable-object-like.js";
import { DurableObjectSqlDriver } from "./durable-object-sql-driver.js";
import { DurableObjectStore } from "./durable-object-store.js";

const record = `INSERT INTO flux_executions (id, workflow, state, events, created_at, updated_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET workflow = excluded.workflow, state = excluded.state, events = excluded.events,
  updated_at = excluded.updated_at, parent_id = excluded.parent_id
WHERE excluded.events >= flux_executions.events`;

const locate = `WITH RECURSIVE up (id, parent_id, depth) AS (
  SELECT id, parent_id, 0 FROM flux_executions WHERE id = ?
  UNION ALL SELECT e.id, e.parent_id, up.depth + 1 FROM flux_executions e JOIN up ON e.id = up.parent_id WHERE up.depth < 1000
) SELECT COALESCE(parent_id, id) AS root FROM up ORDER BY depth DESC LIMIT 1`;

/**
 * The directory Durable Object (`FluxDirectory` in wrangler.toml): the index of executions
 * across execution objects (see {@link ExecutionDirectory}, its client). It keeps one summary
 * row per execution in the schema of the SQL stores, so listing is `SqlStore.list` with its
 * indexes; it holds no logs and runs nothing (no row has a wake time).
 */
export class FluxDirectoryObject {
  readonly #store: DurableObjectStore;
  readonly #driver: DurableObjectSqlDriver;

  constructor(ctx: DurableObjectStateLike) {
    this.#store = new DurableObjectStore(ctx.storage, { description: "the execution directory" });
    this.#driver = new DurableObjectSqlDriver(ctx.storage, "the execution directory");
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

  async #run(op: string, arg: unknown): Promise<unknown> {
    if (op === "list") return this.#store.list(arg as ListOptions);
    if (op === "locate") return (await this.#driver.all({ sql: locate, params: [String(arg)] }))[0]?.root ?? null;
    if (op === "record") {
      const summaries = arg as ExecutionSummary[];
      await this.#driver.batch(summaries.map((s) => ({
        sql: record, params: [s.executionId, s.workflow, s.state, s.events, s.createdAt, s.updatedAt, s.parentId ?? null],
      })));
      return null;
    }
    throw new Error(`the execution directory has no operation ${JSON.stringify(op)}`);
  }
}

function answer(value: unknown): Response {
  return new Response(encodeValue(value), { headers: { "Content-Type": "application/json" } });
}
