import type { Queue } from "../../src/queue.js";
import type { AdmitOptions } from "../../src/state-store.js";
import type { SqlStatement } from "./sql-driver.js";
import { namedStatement } from "./sql-named.js";
import { admittedIndex, queueIndex, Tables } from "./sql-schema.js";
import { summaryColumns } from "./sql-statements.js";

const table = Tables.executions;

/** Executions of the queue that hold a slot: admitted and not ended (running or paused), from the queue index. */
const holding = `SELECT COUNT(*) FROM ${table} INDEXED BY ${queueIndex} WHERE queue = :queue AND (state = 'running' OR state = 'paused')`;

/**
 * `StateStore.admit` as ONE statement, so one atomic step however many handles admit at once
 * (SQLite runs one write at a time; D1 and a Durable Object too): the oldest waiting executions
 * of the queue (no cancellation asked for, of the listed workflows), as many as `admissionRoom`
 * allows from the counts that the same statement reads (slots held, those `:owner` admitted,
 * admissions after `:since`), made running, leased to `:owner` until `:expires` (their wake time
 * too) and stamped with the admission. It returns them. A queue without a rate passes a budget
 * of its concurrency and a `:since` past every admission.
 */
const admitStatement = namedStatement<"queue" | "owner" | "now" | "expires" | "limit" | "concurrency" | "perRunner" | "rate" | "since" | "workflows">(
  `UPDATE ${table} SET state = 'running', lease_owner = :owner, lease_expires_at = :expires, wake_at = :expires, admitted_at = :now, admitted_by = :owner
WHERE id IN (
  SELECT id FROM ${table} INDEXED BY ${queueIndex}
  WHERE queue = :queue AND state = 'queued' AND cancel_requested_at IS NULL
    AND (:workflows IS NULL OR workflow IN (SELECT value FROM json_each(:workflows)))
  ORDER BY queue_seq
  LIMIT MAX(0, MIN(:limit,
    :concurrency - (${holding}),
    :perRunner - (${holding} AND admitted_by = :owner),
    :rate - (SELECT COUNT(*) FROM ${table} INDEXED BY ${admittedIndex} WHERE queue = :queue AND admitted_at IS NOT NULL AND admitted_at > :since)))
)
RETURNING ${summaryColumns}, queue_seq`,
);

/** The statement that admits (see {@link admitStatement}); its rows are the admitted executions, in no order (sort by `queue_seq`). */
export function admitStatements(queue: Queue, options: AdmitOptions): SqlStatement[] {
  const rate = queue.rate;
  return [admitStatement({
    queue: queue.name, owner: options.owner, now: options.now, expires: options.expiresAt, limit: options.limit ?? 100,
    concurrency: queue.concurrency, perRunner: queue.perRunner ?? queue.concurrency,
    rate: rate?.limit ?? queue.concurrency, since: rate === undefined ? Number.MAX_SAFE_INTEGER : options.now - rate.per,
    workflows: options.workflows === undefined ? null : JSON.stringify(options.workflows),
  })];
}

/**
 * The rate window of a queue at `now`, after an admission: how many were admitted within it, the
 * oldest of them, and whether any execution still waits. What `Admission.retryAt` is made of (a
 * hint, read after the admission's own step).
 */
export function rateWindowStatement(queue: Queue, now: number): SqlStatement {
  const per = queue.rate?.per ?? 0;
  return {
    sql: `SELECT COUNT(*) AS admitted, MIN(admitted_at) AS oldest,
  EXISTS (SELECT 1 FROM ${table} INDEXED BY ${queueIndex} WHERE queue = ? AND state = 'queued' AND cancel_requested_at IS NULL) AS waiting
FROM ${table} INDEXED BY ${admittedIndex} WHERE queue = ? AND admitted_at IS NOT NULL AND admitted_at > ?`,
    params: [queue.name, queue.name, now - per],
  };
}
