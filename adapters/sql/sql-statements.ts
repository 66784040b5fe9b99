import { UsageError } from "../../src/errors.js";
import type { ExecutionState } from "../../src/events.js";
import { stateAfter } from "../../src/events.js";
import type { ListPosition } from "../../src/list-cursor.js";
import type { Commit, ExecutionSummary, StoredEvent } from "../../src/state-store.js";
import type { SqlRow, SqlStatement } from "./sql-driver.js";
import { Tables } from "./sql-schema.js";

const insertSummary = `INSERT INTO ${Tables.executions} (id, workflow, state, events, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET events = -1`;

const updateSummary = `UPDATE ${Tables.executions} SET
  events = CASE WHEN events = ? THEN events + ? ELSE -1 END,
  state = COALESCE(?, state),
  updated_at = COALESCE(?, updated_at)
WHERE id = ?`;

/** Fails (CHECK) when the execution has no summary row; writes nothing otherwise. */
const requireSummary = `INSERT INTO ${Tables.executions} (id, workflow, state, events, created_at, updated_at)
SELECT ?, '', 'created', -1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM ${Tables.executions} WHERE id = ?)`;

/** D1 binds at most 100 parameters per statement; 14 events of 7 take 98. */
const eventsPerInsert = 14;

function insertEvents(count: number): string {
  const rows = Array.from({ length: count }, () => "(?, ?, ?, ?, ?, ?, ?)").join(", ");
  return `INSERT INTO ${Tables.events} (execution_id, seq, type, source_id, name, value, time) VALUES ${rows}`;
}

/**
 * The statements that append `commits` and keep their summaries in step, to run as ONE atomic
 * batch. No read comes first, so a commit is one round trip (D1).
 *
 * How a conflict is refused, inside the batch: the summary row's `events` column is the log's
 * length, and its CHECK (`events >= 0`) fails the whole batch when a commit finds it wrong. With
 * `expectedSeq` 0 the row is inserted (an existing row is set to -1); otherwise a guard inserts a
 * row of -1 when there is none (SQLite checks CHECK before uniqueness), and the count becomes
 * `events + n` when it equals `expectedSeq`, -1 when not. Empty commits are checked the same way.
 * The primary key (execution_id, seq) of the events is a second guard. The summary follows
 * `nextSummary` exactly: the workflow and creation time come from the first event ever, the state
 * is the one after the batch's last workflow-level event (unchanged when it has none).
 *
 * Throws {@link UsageError} when an event's id is not its position (`expectedSeq + i`).
 */
export function commitStatements(commits: readonly Commit[]): SqlStatement[] {
  const statements: SqlStatement[] = [];
  for (const { executionId, events, expectedSeq } of commits) {
    if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0) {
      throw new UsageError(`invalid expectedSeq ${expectedSeq} for execution ${executionId}: give the log's length, a whole number`);
    }
    events.forEach((event, i) => {
      if (event.id !== expectedSeq + i) {
        throw new UsageError(
          `event ${i} of the commit to execution ${executionId} has id ${event.id}, not ${expectedSeq + i}: ids must continue the log`,
        );
      }
    });
    const first = events[0];
    const last = events[events.length - 1];
    const after = stateAfter("created", events.map((event) => event.type));
    const changed: ExecutionState | null = after === "created" ? null : after;
    if (expectedSeq > 0) statements.push({ sql: requireSummary, params: [executionId, executionId] });
    if (first === undefined || last === undefined || expectedSeq > 0) {
      statements.push({ sql: updateSummary, params: [expectedSeq, events.length, changed, last?.time ?? null, executionId] });
    } else {
      statements.push({ sql: insertSummary, params: [executionId, first.name, after, events.length, first.time, last.time] });
    }
    for (let start = 0; start < events.length; start += eventsPerInsert) {
      const chunk = events.slice(start, start + eventsPerInsert);
      statements.push({
        sql: insertEvents(chunk.length),
        params: chunk.flatMap((event) => [executionId, event.id, event.type, event.sourceId, event.name, event.value, event.time]),
      });
    }
  }
  return statements;
}

/** Reads one execution's events in log order. */
export function loadStatement(executionId: string, from = 0, limit = -1): SqlStatement {
  return {
    sql: `SELECT seq, type, source_id, name, value, time FROM ${Tables.events} WHERE execution_id = ? AND seq >= ? ORDER BY seq LIMIT ?`,
    params: [executionId, from, limit],
  };
}

const summaryColumns = "id, workflow, state, events, created_at, updated_at";

/** Reads one execution's summary. */
export function getStatement(executionId: string): SqlStatement {
  return { sql: `SELECT ${summaryColumns} FROM ${Tables.executions} WHERE id = ?`, params: [executionId] };
}

/**
 * Reads the event counts of `executionIds` (to say which commit of a refused batch conflicted),
 * in statements of at most 90 parameters.
 */
export function lengthsStatements(executionIds: readonly string[]): SqlStatement[] {
  const statements: SqlStatement[] = [];
  for (let start = 0; start < executionIds.length; start += 90) {
    const ids = executionIds.slice(start, start + 90);
    statements.push({ sql: `SELECT id, events FROM ${Tables.executions} WHERE id IN (${ids.map(() => "?").join(", ")})`, params: ids });
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

/**
 * Takes or renews the lease of an execution in one statement, so atomically: writes
 * `(owner, expiresAt)` when there is no lease, when it expired (`expires_at <= now`) or when
 * `owner` holds it; leaves another owner's live lease alone.
 */
export function takeLeaseStatement(executionId: string, owner: string, now: number, expiresAt: number): SqlStatement {
  return {
    sql: `INSERT INTO ${Tables.leases} (execution_id, owner, expires_at) VALUES (?, ?, ?)
ON CONFLICT (execution_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
WHERE ${Tables.leases}.expires_at <= ? OR ${Tables.leases}.owner = excluded.owner`,
    params: [executionId, owner, expiresAt, now],
  };
}

/** Reads the lease of an execution. */
export function getLeaseStatement(executionId: string): SqlStatement {
  return { sql: `SELECT owner, expires_at FROM ${Tables.leases} WHERE execution_id = ?`, params: [executionId] };
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

/** A row of {@link getStatement} or {@link listStatement} as an {@link ExecutionSummary}. */
export function summaryFromRow(row: SqlRow): ExecutionSummary {
  return {
    executionId: String(row.id),
    workflow: String(row.workflow),
    state: String(row.state) as ExecutionState,
    events: Number(row.events),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
