import { admissionRoom, rateRetryAt, type Queue } from "../../src/queue.js";
import type { Admission, AdmitOptions, ExecutionSummary } from "../../src/state-store.js";
import type { PgClientLike } from "./pg-like.js";
import { summaryColumns, summaryFromRow } from "./pg-rows.js";
import type { PgTables } from "./pg-schema.js";

/**
 * `StateStore.admit` inside the caller's open transaction on `client`: takes the queue's
 * transaction-level advisory lock (`lockName`: the schema and the queue), so admissions of one
 * queue from any process take turns and each counts what the one before it admitted; counts the
 * slots held, the runner's, and the rate window (`admissionRoom`); admits the oldest waiting
 * (`FOR UPDATE SKIP LOCKED`: a row another transaction holds, a cancellation being asked for, is
 * left to the next admission), running and leased to the runner; and reads the rate window for
 * `retryAt`. Commits that end an execution take no such lock: one ending meanwhile is counted as
 * holding its slot until it commits (the count errs on the safe side).
 */
export async function admitQueued(client: PgClientLike, tables: PgTables, lockName: string, queue: Queue, options: AdmitOptions): Promise<Admission> {
  const table = tables.executions;
  const since = queue.rate === undefined ? Number.MAX_VALUE : options.now - queue.rate.per;
  await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`flux-ts queue ${lockName}`]);
  const { rows: [counts] } = await client.query(
    `SELECT
  (SELECT count(*) FROM ${table} WHERE queue = $1 AND state IN ('running', 'paused'))::int AS holding,
  (SELECT count(*) FROM ${table} WHERE queue = $1 AND state IN ('running', 'paused') AND admitted_by = $2)::int AS mine,
  (SELECT count(*) FROM ${table} WHERE queue = $1 AND admitted_at IS NOT NULL AND admitted_at > $3)::int AS in_window`,
    [queue.name, options.owner, since],
  );
  const counted = { holding: Number(counts?.holding), holdingByOwner: Number(counts?.mine), inWindow: Number(counts?.in_window) };
  const room = admissionRoom(queue, counted, options.limit ?? 100);
  let admitted: ExecutionSummary[] = [];
  if (room > 0) {
    const { rows } = await client.query(
      `UPDATE ${table} SET state = 'running', lease_owner = $2, lease_expires_at = $3, wake_at = $3, admitted_at = $4, admitted_by = $2
WHERE id IN (
  SELECT id FROM ${table} WHERE queue = $1 AND state = 'queued' AND cancel_requested_at IS NULL AND ($5::text[] IS NULL OR workflow = ANY($5::text[]))
  ORDER BY queue_seq LIMIT $6 FOR UPDATE SKIP LOCKED
)
RETURNING ${summaryColumns}, queue_seq`,
      [queue.name, options.owner, options.expiresAt, options.now, options.workflows === undefined ? null : [...options.workflows], room],
    );
    admitted = rows.sort((a, b) => Number(a.queue_seq) - Number(b.queue_seq)).map(summaryFromRow);
  }
  if (queue.rate === undefined) return { admitted };
  const { rows: [window] } = await client.query(
    `SELECT array_agg(admitted_at) AS times,
  EXISTS (SELECT 1 FROM ${table} WHERE queue = $1 AND state = 'queued' AND cancel_requested_at IS NULL) AS waiting
FROM ${table} WHERE queue = $1 AND admitted_at IS NOT NULL AND admitted_at > $2`,
    [queue.name, since],
  );
  const retryAt = window?.waiting === true ? rateRetryAt(queue, ((window.times as number[] | null) ?? []).map(Number)) : undefined;
  return retryAt === undefined ? { admitted } : { admitted, retryAt };
}
