import { Miniflare } from "miniflare";
import type { D1DatabaseLike, D1PreparedStatementLike } from "../../adapters/d1/index.js";

/**
 * A Worker that runs SQL statements on its real local D1 binding (`env.DB`, in workerd) for the
 * tests: POST a JSON `{ statements: [{ sql, params }], batch }`; answers `{ results }` (each
 * statement's rows) or, with status 500, `{ error }` (D1's own message).
 */
const bridgeScript = `export default {
  async fetch(request, env) {
    const { statements, batch } = await request.json();
    try {
      const prepared = statements.map(({ sql, params }) => env.DB.prepare(sql).bind(...params));
      const results = batch ? await env.DB.batch(prepared) : [await prepared[0].all()];
      return Response.json({ results: results.map((result) => result.results ?? []) });
    } catch (error) {
      return Response.json({ error: String(error && error.message || error) }, { status: 500 });
    }
  },
};`;

/** A statement of the bridge: its SQL and bound values, run only by `all` or the database's `batch`. */
class BridgedStatement implements D1PreparedStatementLike {
  constructor(readonly run: (statements: readonly BridgedStatement[], batch: boolean) => Promise<unknown[][]>, readonly sql: string, readonly params: readonly unknown[] = []) {}

  bind(...values: unknown[]): BridgedStatement {
    return new BridgedStatement(this.run, this.sql, values);
  }

  async all<Row = Record<string, unknown>>(): Promise<{ results: Row[] }> {
    const [rows] = await this.run([this], false);
    return { results: (rows ?? []) as Row[] };
  }
}

/**
 * A real local D1 (Miniflare's workerd), reached from Node through a Worker of its own with
 * plain async requests. Miniflare's own `getD1Database()` proxy makes a synchronous round trip
 * for every `prepare` and `bind` (Atomics.wait on a helper thread); under heavy load it was seen
 * to lose a reply's order ("false == true" in its SynchronousFetcher), failing every later call of
 * the file. This bridge has no synchronous step. Statements and errors are D1's own.
 */
export async function bridgedD1(options: { readonly id: string; readonly compatibilityDate: string; readonly persist?: string }): Promise<{ mf: Miniflare; db: D1DatabaseLike }> {
  const mf = new Miniflare({
    modules: true, script: bridgeScript, d1Databases: { DB: options.id }, compatibilityDate: options.compatibilityDate,
    ...(options.persist === undefined ? {} : { d1Persist: options.persist }),
  });
  await mf.ready;
  const run = async (statements: readonly BridgedStatement[], batch: boolean): Promise<unknown[][]> => {
    const response = await mf.dispatchFetch("http://d1.bridge/", {
      method: "POST",
      body: JSON.stringify({ batch, statements: statements.map(({ sql, params }) => ({ sql, params })) }),
    });
    const answer = await response.json() as { results?: unknown[][]; error?: string };
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.results ?? [];
  };
  const db: D1DatabaseLike = {
    prepare: (sql) => new BridgedStatement(run, sql),
    async batch(statements) {
      const rows = await run(statements as BridgedStatement[], true);
      return rows.map((results) => ({ results }));
    },
  };
  return { mf, db };
}
