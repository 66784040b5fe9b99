import type { ExecutionState } from "../../src/events.js";
import type { CancelRequest, ExecutionSummary, InboxEvent, Lease, StoredEvent, Wait } from "../../src/state-store.js";
import type { PgClientLike } from "./pg-like.js";

// Rows of the PostgreSQL store to the contract's types and back.

type Row = Record<string, unknown>;

/** The columns of a summary row, in the order {@link writeSummaries} binds them. */
export const summaryColumns = "id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason, queue";

/** A summary row as an {@link ExecutionSummary}: optional fields absent (not `undefined`) when their column is NULL, as `nextSummary` leaves them. */
export function summaryFromRow(row: Row): ExecutionSummary {
  const lease = leaseFromRow(row);
  const cancel = cancelFromRow(row);
  return {
    executionId: String(row.id),
    workflow: String(row.workflow),
    state: String(row.state) as ExecutionState,
    events: Number(row.events),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...(row.parent_id == null ? {} : { parentId: String(row.parent_id) }),
    ...(row.waits == null ? {} : { waits: row.waits as Wait[] }),
    ...(row.wake_at == null ? {} : { wakeAt: Number(row.wake_at) }),
    ...(lease === undefined ? {} : { lease }),
    ...(cancel === undefined ? {} : { cancel }),
    ...(row.queue == null ? {} : { queue: String(row.queue) }),
  };
}

/** The lease of a row; `undefined` when nobody holds it. */
export function leaseFromRow(row: Row): Lease | undefined {
  return row.lease_owner == null || row.lease_expires_at == null ? undefined : { owner: String(row.lease_owner), expiresAt: Number(row.lease_expires_at) };
}

/** The cancellation asked for in a row; `undefined` when none was. */
export function cancelFromRow(row: Row): CancelRequest | undefined {
  if (row.cancel_requested_at == null) return undefined;
  return { ...(row.cancel_reason == null ? {} : { reason: String(row.cancel_reason) }), time: Number(row.cancel_requested_at) };
}

/** An event row as a {@link StoredEvent}. */
export function eventFromRow(row: Row): StoredEvent {
  return { id: Number(row.seq), type: String(row.type), sourceId: String(row.source_id), name: String(row.name), value: String(row.value), time: Number(row.time) };
}

/** An inbox row as an {@link InboxEvent}. */
export function inboxEventFromRow(row: Row): InboxEvent {
  return { seq: Number(row.seq), name: String(row.name), payload: String(row.payload), time: Number(row.time) };
}

/**
 * Writes `summaries` (new rows inserted, existing ones replaced whole) in ONE statement: the
 * columns travel as arrays, one parameter each, whatever the number of rows. A new queued row
 * takes its place in its queue from the schema's sequence (`executions` is `<schema>.executions`);
 * the place and the admission columns of an existing row are left as they are.
 */
export async function writeSummaries(client: PgClientLike, executions: string, summaries: readonly ExecutionSummary[]): Promise<void> {
  if (summaries.length === 0) return;
  const column = <T>(pick: (summary: ExecutionSummary) => T) => summaries.map(pick);
  const sequence = `${executions.slice(0, executions.lastIndexOf("."))}.queue_seq`;
  await client.query(
    `INSERT INTO ${executions} (${summaryColumns}, queue_seq)
SELECT id, workflow, state, events, created_at, updated_at, parent_id, waits::jsonb, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason, queue,
  CASE WHEN queue IS NOT NULL AND state = 'queued' THEN nextval('${sequence}') END
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::float8[], $7::text[], $8::text[], $9::float8[], $10::text[], $11::float8[], $12::float8[], $13::text[], $14::text[])
  AS t(id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason, queue)
ON CONFLICT (id) DO UPDATE SET
  workflow = excluded.workflow, state = excluded.state, events = excluded.events, created_at = excluded.created_at,
  updated_at = excluded.updated_at, parent_id = excluded.parent_id, waits = excluded.waits, wake_at = excluded.wake_at,
  lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at,
  cancel_requested_at = excluded.cancel_requested_at, cancel_reason = excluded.cancel_reason, queue = excluded.queue`,
    [
      column((s) => s.executionId), column((s) => s.workflow), column((s) => s.state), column((s) => s.events),
      column((s) => s.createdAt), column((s) => s.updatedAt), column((s) => s.parentId ?? null),
      column((s) => (s.waits === undefined ? null : JSON.stringify(s.waits))), column((s) => s.wakeAt ?? null),
      column((s) => s.lease?.owner ?? null), column((s) => s.lease?.expiresAt ?? null),
      column((s) => s.cancel?.time ?? null), column((s) => s.cancel?.reason ?? null), column((s) => s.queue ?? null),
    ],
  );
}

/** Appends `events` of `executionId` in ONE statement (arrays, as {@link writeSummaries}). */
export async function insertEvents(client: PgClientLike, table: string, rows: readonly { executionId: string; event: StoredEvent }[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${table} (execution_id, seq, type, source_id, name, value, time)
SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[])`,
    [
      rows.map((r) => r.executionId), rows.map((r) => r.event.id), rows.map((r) => r.event.type), rows.map((r) => r.event.sourceId),
      rows.map((r) => r.event.name), rows.map((r) => r.event.value), rows.map((r) => r.event.time),
    ],
  );
}
