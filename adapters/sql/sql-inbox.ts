import type { CancelRequest, InboxEvent } from "../../src/state-store.js";
import type { SqlRow, SqlStatement } from "./sql-driver.js";
import { namedStatement } from "./sql-named.js";
import { endedSql, Tables } from "./sql-schema.js";

// The statements of executions' inboxes (events sent to them) and of cancellation requests.

const { executions, inbox } = Tables;

/** Is the paused row :id waking later than :time (or not at all)? The guard of every "due at once" wake. */
const wakesLater = "state = 'paused' AND (wake_at IS NULL OR wake_at > :time)";

/**
 * `eventDelivered`: the row becomes due at :time when it is paused waiting on an event named
 * :name. The waits are the row's JSON (written by the suspending commit), searched with
 * `json_each` on this one row only: nothing is written for it at suspension time, and a row
 * that waits on no event (or is not paused) is never parsed.
 */
const wakeOnDelivery = namedStatement<"id" | "time" | "name">(
  `UPDATE ${executions} SET wake_at = :time
WHERE id = :id AND ${wakesLater}
  AND EXISTS (SELECT 1 FROM json_each(waits) WHERE json_extract(value, '$.kind') = 'event' AND json_extract(value, '$.name') = :name)`,
);

/**
 * Appends the event with the next seq of the execution's inbox (its largest + 1, read from the
 * primary key in the same transaction), and returns that seq. Refusals, inside the statement:
 * an unknown execution gives a NULL seq (NOT NULL fails), an ended one -1 (CHECK
 * `flux_inbox_open` fails), so the failed constraint's kind says which, with no read.
 */
const insertDelivered = namedStatement<"id" | "name" | "payload" | "time">(
  `INSERT INTO ${inbox} (execution_id, seq, name, payload, time)
VALUES (:id, (SELECT CASE WHEN ${endedSql("state")} THEN -1 ELSE (SELECT COALESCE(MAX(seq), 0) + 1 FROM ${inbox} WHERE execution_id = :id) END
  FROM ${executions} WHERE id = :id), :name, :payload, :time)
RETURNING seq`,
);

/**
 * `StateStore.deliver` as ONE atomic batch of two statements: the wake of a paused execution
 * waiting on an event of that name, then the append, whose RETURNING seq is the batch's rows.
 * A refused append (see {@link deliverRefusal}) rolls the wake back with it.
 */
export function deliverStatements(executionId: string, event: Omit<InboxEvent, "seq">): SqlStatement[] {
  const { name, payload, time } = event;
  return [wakeOnDelivery({ id: executionId, time, name }), insertDelivered({ id: executionId, name, payload, time })];
}

/** Why a {@link deliverStatements} batch failed: `unknown` (NOT NULL), `ended` (CHECK), or `undefined` when it is neither. */
export function deliverRefusal(error: unknown): "unknown" | "ended" | undefined {
  const text = `${(error as { code?: unknown } | null)?.code ?? ""} ${error instanceof Error ? error.message : String(error)}`;
  if (/NOT NULL constraint failed|SQLITE_CONSTRAINT_NOTNULL/i.test(text)) return "unknown";
  if (/CHECK constraint failed|SQLITE_CONSTRAINT_CHECK/i.test(text)) return "ended";
  return undefined;
}

/** The execution's pending inbox events in seq order, through the partial index `flux_inbox_pending`. */
export function pendingStatement(executionId: string): SqlStatement {
  return { sql: `SELECT seq, name, payload, time FROM ${inbox} WHERE execution_id = ? AND consumed = 0 ORDER BY seq`, params: [executionId] };
}

/** The pending seqs of several executions (one JSON parameter), to name the conflict of a refused batch that consumes. */
export function pendingSeqsStatement(executionIds: readonly string[]): SqlStatement {
  return {
    sql: `SELECT execution_id, seq FROM ${inbox} WHERE consumed = 0 AND execution_id IN (SELECT value FROM json_each(?)) ORDER BY execution_id, seq`,
    params: [JSON.stringify(executionIds)],
  };
}

/** A row of {@link pendingStatement} as an {@link InboxEvent}. */
export function inboxEventFromRow(row: SqlRow): InboxEvent {
  return { seq: Number(row.seq), name: String(row.name), payload: String(row.payload), time: Number(row.time) };
}

/**
 * Fails the batch unless all :n seqs in :seqs are pending inbox events of :id: it inserts a
 * summary row of -1 events, which CHECK `flux_expected_seq` refuses (SQLite checks CHECK before
 * uniqueness, so whether the row exists does not matter), as a conflict is refused.
 */
const requirePending = namedStatement<"id" | "seqs" | "n">(
  `INSERT INTO ${executions} (id, workflow, state, events, created_at, updated_at)
SELECT :id, '', 'created', -1, 0, 0
WHERE (SELECT count(*) FROM ${inbox} WHERE execution_id = :id AND consumed = 0 AND seq IN (SELECT value FROM json_each(:seqs))) <> :n`,
);

const markConsumed = namedStatement<"id" | "seqs">(
  `UPDATE ${inbox} SET consumed = 1 WHERE execution_id = :id AND consumed = 0 AND seq IN (SELECT value FROM json_each(:seqs))`,
);

/**
 * A commit's `consumes`, for the commit batch: a guard that refuses the whole batch (as a
 * conflict) when one seq is unknown or already consumed, by this batch's earlier commits too,
 * then the mark. The seqs are one JSON parameter, so any number of them binds 3 parameters.
 * Nothing for a commit that consumes nothing.
 */
export function consumeStatements(executionId: string, seqs: readonly number[] | undefined): SqlStatement[] {
  if (seqs === undefined || seqs.length === 0) return [];
  const distinct = JSON.stringify([...new Set(seqs)]);
  return [requirePending({ id: executionId, seqs: distinct, n: new Set(seqs).size }), markConsumed({ id: executionId, seqs: distinct })];
}

/**
 * `childFinished`'s inbox side: the just-suspended row :id becomes due at :time when its inbox
 * holds a pending event of one of the names it waits on (:names, one JSON parameter). Placed
 * after the commit's own `consumes`, so that an event it consumed does not count.
 */
export const eventWaitStatement = namedStatement<"id" | "time" | "names">(
  `UPDATE ${executions} SET wake_at = :time
WHERE id = :id AND ${wakesLater}
  AND EXISTS (SELECT 1 FROM ${inbox} WHERE execution_id = :id AND consumed = 0 AND name IN (SELECT value FROM json_each(:names)))`,
);

/**
 * `cancelRequested` in SQL: keeps an earlier request (both columns are read as they were before
 * the statement), makes a paused row due at the request's time, and leaves an ended row alone.
 */
const askCancel = namedStatement<"id" | "time" | "reason">(
  `UPDATE ${executions} SET
  cancel_reason = CASE WHEN cancel_requested_at IS NULL THEN :reason ELSE cancel_reason END,
  cancel_requested_at = COALESCE(cancel_requested_at, :time),
  wake_at = CASE WHEN (state = 'paused' OR state = 'queued') AND (wake_at IS NULL OR wake_at > :time) THEN :time ELSE wake_at END
WHERE id = :id AND NOT ${endedSql("state")}`,
);

/**
 * `StateStore.requestCancel` as ONE atomic batch: the request, then `read` (the summary row as
 * the request left it: no row for an unknown execution).
 */
export function requestCancelStatements(executionId: string, request: CancelRequest, read: SqlStatement): SqlStatement[] {
  return [askCancel({ id: executionId, time: request.time, reason: request.reason ?? null }), read];
}

/** The `cancel` of a summary row; `undefined` when none was asked for. */
export function cancelFromRow(row: SqlRow): CancelRequest | undefined {
  if (row.cancel_requested_at == null) return undefined;
  return { ...(row.cancel_reason == null ? {} : { reason: String(row.cancel_reason) }), time: Number(row.cancel_requested_at) };
}
