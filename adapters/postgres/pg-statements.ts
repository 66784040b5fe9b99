import { dueSize } from "../../src/due-order.js";
import type { DueOptions, LoadPage } from "../../src/state-store.js";
import { summaryColumns } from "./pg-rows.js";
import type { PgTables } from "./pg-schema.js";

// The PostgreSQL store's reads (and the cache's one write), each ONE statement on a pooled
// connection, outside any transaction: what they read is the last committed state.

/** One statement of the PostgreSQL store: its text, with `$1`… placeholders, and their values. */
export interface PgStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Runs a {@link PgStatement} and resolves to its rows; a failure names `doing`. */
export type PgRun = (doing: string, statement: PgStatement) => Promise<Record<string, unknown>[]>;

/** The execution's events from seq `page.from` (at least 0) on, in seq order, `page.limit` at most (all when absent). */
export function loadStatement(tables: PgTables, executionId: string, page: LoadPage): PgStatement {
  return {
    text: `SELECT seq, type, source_id, name, value, time FROM ${tables.events} WHERE execution_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
    values: [executionId, Math.max(0, page.from ?? 0), page.limit ?? null],
  };
}

/** One execution's summary row (none when it is unknown). */
export function getStatement(tables: PgTables, executionId: string): PgStatement {
  return { text: `SELECT ${summaryColumns} FROM ${tables.executions} WHERE id = $1`, values: [executionId] };
}

/** The summary rows of `executionIds` (each once), in no order; an unknown id has none. */
export function summariesStatement(tables: PgTables, executionIds: readonly string[]): PgStatement {
  return { text: `SELECT ${summaryColumns} FROM ${tables.executions} WHERE id = ANY($1::text[])`, values: [[...new Set(executionIds)]] };
}

/**
 * The summary rows whose wake time is at or before `until`, earliest first (then by id), of
 * `workflows` only when given, `dueSize(limit)` at most: one range scan of the partial index
 * `executions_due`.
 */
export function dueStatement(tables: PgTables, options: DueOptions): PgStatement {
  return {
    text: `SELECT ${summaryColumns} FROM ${tables.executions}
WHERE wake_at IS NOT NULL AND wake_at <= $1 AND ($2::text[] IS NULL OR workflow = ANY($2::text[]))
ORDER BY wake_at, id LIMIT $3`,
    values: [options.until, options.workflows === undefined ? null : [...options.workflows], dueSize(options.limit)],
  };
}

/** The execution's pending (not consumed) inbox events, in seq order, through the partial index `inbox_pending`. */
export function pendingStatement(tables: PgTables, executionId: string): PgStatement {
  return { text: `SELECT seq, name, payload, time FROM ${tables.inbox} WHERE execution_id = $1 AND NOT consumed ORDER BY seq`, values: [executionId] };
}

/** One cached value (no row when the key is not there). */
export function getCachedStatement(tables: PgTables, key: string): PgStatement {
  return { text: `SELECT value FROM ${tables.cache} WHERE key = $1`, values: [key] };
}

/** Stores one cached value, replacing any earlier one, in one statement (its own transaction). */
export function setCachedStatement(tables: PgTables, key: string, value: string): PgStatement {
  return { text: `INSERT INTO ${tables.cache} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, values: [key, value] };
}
