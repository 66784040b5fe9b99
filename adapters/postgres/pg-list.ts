import type { ExecutionState } from "../../src/events.js";
import { decodeCursor, encodeCursor, pageSize, type ListPosition } from "../../src/list-cursor.js";
import type { ExecutionPage, ListOptions } from "../../src/state-store.js";
import { summaryColumns, summaryFromRow } from "./pg-rows.js";
import type { PgTables } from "./pg-schema.js";
import type { PgRun, PgStatement } from "./pg-statements.js";

/** Filters of {@link listStatement}; `limit` rows at most are read. */
export interface PgListQuery {
  readonly workflow: string | undefined;
  readonly state: ExecutionState | undefined;
  /** The position of the previous page's last summary: only older ones are read. */
  readonly after: ListPosition | undefined;
  readonly limit: number;
}

/**
 * Summary rows newest first (`created_at DESC, id DESC`, the order of the `executions_newest`
 * index and its per-workflow and per-state siblings), strictly after the cursor's position, of
 * one workflow and one state when given.
 */
export function listStatement(tables: PgTables, { workflow, state, after, limit }: PgListQuery): PgStatement {
  return {
    text: `SELECT ${summaryColumns} FROM ${tables.executions}
WHERE ($1::text IS NULL OR workflow = $1) AND ($2::text IS NULL OR state = $2)
  AND ($3::float8 IS NULL OR created_at < $3 OR (created_at = $3 AND id < $4))
ORDER BY created_at DESC, id DESC LIMIT $5`,
    values: [workflow ?? null, state ?? null, after?.createdAt ?? null, after?.executionId ?? null, limit],
  };
}

/**
 * `StateStore.list` on PostgreSQL: one page of summaries, newest first, after `options.cursor`
 * (`UsageError` for a cursor that is not one, before any statement runs), in ONE statement that
 * reads one row more than the page to learn whether there is a next one (`nextCursor` then
 * names the page's last summary). Runs through `run`.
 */
export async function listPgPage(run: PgRun, tables: PgTables, options: ListOptions): Promise<ExecutionPage> {
  const limit = pageSize(options.limit);
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  const rows = await run("listing executions", listStatement(tables, { workflow: options.workflow, state: options.state, after, limit: limit + 1 }));
  const executions = rows.slice(0, limit).map(summaryFromRow);
  const last = executions[executions.length - 1];
  return rows.length > limit && last !== undefined ? { executions, nextCursor: encodeCursor(last) } : { executions };
}
