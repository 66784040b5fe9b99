import { ExecutionFinishedError, ExecutionNotFoundError } from "../../src/errors.js";
import { isTerminal } from "../../src/events.js";
import { cancelRequested, eventDelivered } from "../../src/execution-summary.js";
import type { CancelRequest, ExecutionSummary, InboxEvent } from "../../src/state-store.js";
import type { PgClientLike } from "./pg-like.js";
import { summaryColumns, summaryFromRow, writeSummaries } from "./pg-rows.js";
import type { PgTables } from "./pg-schema.js";
import { notifyWake } from "./pg-wake-listener.js";

/** The store an inbox transaction writes to: its tables, its wake channel, and its description for messages. */
export interface PgInboxTarget {
  readonly tables: PgTables;
  readonly channel: string;
  readonly description: string;
}

/**
 * Reads the execution's summary row and locks it (`FOR UPDATE`) until the caller's transaction
 * on `client` ends: no commit, lease, delivery or cancellation changes it meanwhile.
 * `undefined` for an unknown execution (nothing locked).
 */
export async function lockSummary(client: PgClientLike, tables: PgTables, executionId: string): Promise<ExecutionSummary | undefined> {
  const { rows } = await client.query(`SELECT ${summaryColumns} FROM ${tables.executions} WHERE id = $1 FOR UPDATE`, [executionId]);
  return rows[0] === undefined ? undefined : summaryFromRow(rows[0]);
}

/**
 * `StateStore.deliver` inside the caller's open transaction on `client`, on the execution's row
 * lock: appends `event` with the next seq (two senders take turns on the lock, so never the
 * same), and wakes an execution paused waiting on an event of that name (`eventDelivered`),
 * notified. Throws `ExecutionNotFoundError` for an unknown execution and
 * `ExecutionFinishedError` for an ended one (the caller rolls back: nothing written).
 */
export async function deliverInbox(client: PgClientLike, target: PgInboxTarget, executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
  const summary = await lockSummary(client, target.tables, executionId);
  if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in ${target.description} to send the event "${event.name}" to: check the execution id`);
  if (isTerminal(summary.state)) throw new ExecutionFinishedError(`execution ${executionId} in ${target.description} has ended (${summary.state}): the event "${event.name}" has nothing to reach`);
  const { rows } = await client.query(
    `INSERT INTO ${target.tables.inbox} (execution_id, seq, name, payload, time)
SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM ${target.tables.inbox} WHERE execution_id = $1 RETURNING seq`,
    [executionId, event.name, event.payload, event.time],
  );
  const due = eventDelivered(summary, event.name, event.time);
  if (due !== undefined) {
    await writeSummaries(client, target.tables.executions, [due]);
    await notifyWake(client, target.channel, [executionId]);
  }
  return { seq: Number(rows[0]?.seq), name: event.name, payload: event.payload, time: event.time };
}

/**
 * `StateStore.requestCancel` inside the caller's open transaction on `client`, on the
 * execution's row lock (`cancelRequested`: an earlier request kept, an ended execution left
 * alone); a paused execution made due is notified. Resolves to the summary as it leaves it;
 * throws `ExecutionNotFoundError` for an unknown execution.
 */
export async function requestPgCancel(client: PgClientLike, target: PgInboxTarget, executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
  const summary = await lockSummary(client, target.tables, executionId);
  if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in ${target.description} to cancel: check the execution id`);
  const next = cancelRequested(summary, request);
  if (next === undefined) return summary;
  await writeSummaries(client, target.tables.executions, [next]);
  if (next.wakeAt !== summary.wakeAt) await notifyWake(client, target.channel, [executionId]);
  return next;
}
