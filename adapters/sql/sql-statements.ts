import { StoreError } from "../../src/errors.js";
import type { ExecutionState } from "../../src/events.js";
import type { ListPosition } from "../../src/list-cursor.js";
import type { ExecutionSummary, Lease, StoredEvent, Wait } from "../../src/state-store.js";
import type { SqlRow, SqlStatement } from "./sql-driver.js";
import { cancelFromRow } from "./sql-inbox.js";
import { dueIndex, eventBaseSql, eventsPerExecution, Tables } from "./sql-schema.js";

/**
 * Reads one execution's events in log order, from seq `from`: one range of the events' B-tree,
 * `num * 2^32 + from` up to the next execution's (see schema version 5), after one lookup of
 * the execution's number. No rows for an unknown execution.
 */
export function loadStatement(executionId: string, from = 0, limit = -1): SqlStatement {
  return {
    sql: `SELECT pos % ${eventsPerExecution} AS seq, type, source_id, name, value, time FROM ${Tables.events}
WHERE pos >= ${eventBaseSql} + ? AND pos < ${eventBaseSql} + ${eventsPerExecution} ORDER BY pos LIMIT ?`,
    params: [executionId, from, executionId, limit],
  };
}

export const summaryColumns = "id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason, queue";

/** Reads one execution's summary. */
export function getStatement(executionId: string): SqlStatement {
  return { sql: `SELECT ${summaryColumns} FROM ${Tables.executions} WHERE id = ?`, params: [executionId] };
}

/**
 * Reads the summaries of `executionIds` (to say which commit of a refused batch conflicted, and
 * why), in statements of at most 90 parameters.
 */
export function summariesStatements(executionIds: readonly string[]): SqlStatement[] {
  const statements: SqlStatement[] = [];
  for (let start = 0; start < executionIds.length; start += 90) {
    const ids = executionIds.slice(start, start + 90);
    statements.push({ sql: `SELECT ${summaryColumns} FROM ${Tables.executions} WHERE id IN (${ids.map(() => "?").join(", ")})`, params: ids });
  }
  return statements;
}

/** Filters of {@link listStatement}; `limit` rows at most are read. */
export interface ListQuery {
  readonly workflow: string | undefined;
  readonly state: ExecutionState | undefined;
  readonly after: ListPosition | undefined;
  readonly limit: number;
}

/** Reads summaries newest first (created_at DESC, id DESC), after a cursor position, filtered. */
export function listStatement({ workflow, state, after, limit }: ListQuery): SqlStatement {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (workflow !== undefined) {
    where.push("workflow = ?");
    params.push(workflow);
  }
  if (state !== undefined) {
    where.push("state = ?");
    params.push(state);
  }
  if (after !== undefined) {
    where.push("(created_at < ? OR (created_at = ? AND id < ?))");
    params.push(after.createdAt, after.createdAt, after.executionId);
  }
  const filter = where.length > 0 ? `WHERE ${where.join(" AND ")} ` : "";
  return {
    sql: `SELECT ${summaryColumns} FROM ${Tables.executions} ${filter}ORDER BY created_at DESC, id DESC LIMIT ?`,
    params: [...params, limit],
  };
}

/** What {@link dueStatement} reads: wake times up to `until`, at most `limit`, of `workflows` (all when undefined). */
export interface DueQuery {
  readonly until: number;
  readonly limit: number;
  readonly workflows: readonly string[] | undefined;
}

/**
 * Reads the due summaries, earliest wake time first then by id: ONE range scan of the partial
 * index on (wake_at, id), named with INDEXED BY so that SQLite cannot plan anything else (a
 * statement that cannot use it fails to prepare). Rows without a wake time are not in the
 * index; rows of other workflows are skipped as the scan meets them. The workflow list is one
 * JSON parameter (`json_each`), so it is never over D1's 100 bound parameters.
 */
export function dueStatement({ until, limit, workflows }: DueQuery): SqlStatement {
  const filter = workflows === undefined ? "" : " AND workflow IN (SELECT value FROM json_each(?))";
  return {
    sql: `SELECT ${summaryColumns} FROM ${Tables.executions} INDEXED BY ${dueIndex}
WHERE wake_at IS NOT NULL AND wake_at <= ?${filter} ORDER BY wake_at, id LIMIT ?`,
    params: [until, ...(workflows === undefined ? [] : [JSON.stringify(workflows)]), limit],
  };
}

/**
 * Takes or renews the lease of an existing execution in one statement, so atomically: writes
 * `(owner, expiresAt)` when nobody holds it, when it lapsed (`expires_at <= now`) or when
 * `owner` holds it, and then moves a running execution's wake time to `expiresAt`; leaves
 * another owner's live lease alone. Writes nothing for an unknown execution.
 */
export function takeLeaseStatement(executionId: string, owner: string, now: number, expiresAt: number): SqlStatement {
  return {
    sql: `UPDATE ${Tables.executions} SET lease_owner = ?, lease_expires_at = ?, wake_at = CASE WHEN state = 'running' THEN ? ELSE wake_at END
WHERE id = ? AND (lease_owner IS NULL OR lease_expires_at <= ? OR lease_owner = ?)`,
    params: [owner, expiresAt, expiresAt, executionId, now, owner],
  };
}

/**
 * Reads the lease of an execution and the cancellation asked for: no row for an unknown
 * execution, NULLs when nobody holds it (or nothing was asked).
 */
export function getLeaseStatement(executionId: string): SqlStatement {
  return { sql: `SELECT lease_owner, lease_expires_at, cancel_requested_at, cancel_reason FROM ${Tables.executions} WHERE id = ?`, params: [executionId] };
}

/** Reads one cached value. */
export function getCachedStatement(key: string): SqlStatement {
  return { sql: `SELECT value FROM ${Tables.cache} WHERE key = ?`, params: [key] };
}

/** Stores one cached value, replacing any earlier one. */
export function setCachedStatement(key: string, value: string): SqlStatement {
  return {
    sql: `INSERT INTO ${Tables.cache} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    params: [key, value],
  };
}

/** A row of {@link loadStatement} as a {@link StoredEvent}. */
export function eventFromRow(row: SqlRow): StoredEvent {
  return {
    id: Number(row.seq),
    type: String(row.type),
    sourceId: String(row.source_id),
    name: String(row.name),
    value: String(row.value),
    time: Number(row.time),
  };
}

/** A row of {@link getLeaseStatement} as a {@link Lease}; `undefined` when nobody holds it. */
export function leaseFromRow(row: SqlRow): Lease | undefined {
  return row.lease_owner == null || row.lease_expires_at == null ? undefined : { owner: String(row.lease_owner), expiresAt: Number(row.lease_expires_at) };
}

/**
 * A row of {@link getStatement}, {@link listStatement}, {@link dueStatement} or
 * {@link summariesStatements} as an {@link ExecutionSummary}: optional fields are absent (not
 * `undefined`) when their column is NULL, as `nextSummary` leaves them. Throws `StoreError`
 * naming the execution when its waits are not JSON.
 */
export function summaryFromRow(row: SqlRow): ExecutionSummary {
  const executionId = String(row.id);
  const lease = leaseFromRow(row);
  const cancel = cancelFromRow(row);
  return {
    executionId,
    workflow: String(row.workflow),
    state: String(row.state) as ExecutionState,
    events: Number(row.events),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...(row.parent_id == null ? {} : { parentId: String(row.parent_id) }),
    ...(row.waits == null ? {} : { waits: parseWaits(executionId, String(row.waits)) }),
    ...(row.wake_at == null ? {} : { wakeAt: Number(row.wake_at) }),
    ...(lease === undefined ? {} : { lease }),
    ...(cancel === undefined ? {} : { cancel }),
    ...(row.queue == null ? {} : { queue: String(row.queue) }),
  };
}

function parseWaits(executionId: string, text: string): Wait[] {
  try {
    const waits: unknown = JSON.parse(text);
    if (Array.isArray(waits)) return waits as Wait[];
  } catch {
    // reported below
  }
  throw new StoreError(`the waits of execution ${executionId} are not a JSON array (${text.slice(0, 80)}): the row is damaged; restore it from a backup`);
}
