import { ConflictError, UsageError } from "../../src/errors.js";
import { endsExecution, isTerminal } from "../../src/events.js";
import {
  childFinished, commitConflict, commitTime, nextSummary, waitedChildren, waitedEvents, wakeParent,
} from "../../src/execution-summary.js";
import type { Commit, ExecutionSummary, InboxEvent } from "../../src/state-store.js";
import { conflictError } from "../sql/sql-errors.js";
import type { PgClientLike } from "./pg-like.js";
import { inboxEventFromRow, insertEvents, summaryColumns, summaryFromRow, writeSummaries } from "./pg-rows.js";
import type { PgTables } from "./pg-schema.js";
import { summariesStatement, type PgRun } from "./pg-statements.js";
import { isUniqueViolation, type PgTransactionRun } from "./pg-transaction.js";
import { notifyWake } from "./pg-wake-listener.js";

/**
 * What a commit batch changed that other runners may want to hear of: executions it made due (or
 * gave a timer), queued on a queue, or ended on one (its slot is free).
 */
export interface CommitOutcome {
  readonly woken: readonly string[];
}

/**
 * `StateStore.commitBatch` on PostgreSQL: {@link applyCommits} in ONE transaction (through
 * `transaction`), which also sends the wake of the executions it made due (`notifyWake` on
 * `channel`: heard when it commits, never when it rolls back). A first commit that lost its race
 * on a new execution's id (a unique violation) rejects with the `ConflictError` that
 * `conflictError` names from the summaries read after it (through `run`; a failed read names
 * every execution of the batch). Any other error passes through as the transaction reports it.
 */
export async function commitPgBatch(transaction: PgTransactionRun, run: PgRun, tables: PgTables, channel: string, commits: readonly Commit[]): Promise<void> {
  try {
    await transaction("a commit", async (client) => {
      const { woken } = await applyCommits(client, tables, commits);
      if (woken.length > 0) await notifyWake(client, channel, woken);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const summaries = await run("reading executions", summariesStatement(tables, commits.map((commit) => commit.executionId)))
      .then((rows) => new Map(rows.map((row) => [String(row.id), summaryFromRow(row)])))
      .catch(() => undefined);
    throw conflictError(commits, summaries, error);
  }
}

/**
 * Applies `commits` inside the caller's open transaction on `client`, as the reference store
 * (`MemoryStore`) does, with the reference functions of `execution-summary.ts`:
 *
 * 1. ONE statement locks (`FOR UPDATE`) the summary rows the batch may change, in id order (so
 *    two batches never deadlock on each other): its executions, and the parents of those whose
 *    events end them. Until the transaction ends, no other commit, lease, delivery or
 *    cancellation can change them. Reads the pending inbox of executions that consume events
 *    or suspend on them, and the summaries of children a suspension waits on (unlocked: a child
 *    that finishes after this read locks this parent next and wakes it then).
 * 2. Checks each commit in order (`commitConflict`: expected sequence, lease, cancellation; its
 *    `consumes`) and folds it into the summaries (`nextSummary`, `childFinished`, `wakeParent`).
 *    A refused commit throws `ConflictError` / `CancelRequestedError`: the caller rolls back.
 * 3. Writes: the events (one statement), the changed summaries (one statement), the consumed
 *    inbox events (one statement).
 *
 * A new execution's row is not there to lock; two first commits of one id race on the events'
 * primary key (seq 0): the loser fails with a unique violation, which the store reports as a
 * conflict. Throws `UsageError` (nothing done) when `expectedSeq` is not a whole number or an
 * event's id is not its position.
 */
export async function applyCommits(client: PgClientLike, tables: PgTables, commits: readonly Commit[]): Promise<CommitOutcome> {
  for (const commit of commits) validate(commit);
  const ids = [...new Set(commits.map((commit) => commit.executionId))];
  const ending = commits.filter((commit) => commit.events.some((event) => endsExecution(event.type)));
  const newParents = ending.flatMap((commit) => (commit.parentId === undefined ? [] : [commit.parentId]));
  const locked = await client.query(
    `SELECT ${summaryColumns} FROM ${tables.executions}
WHERE id = ANY($1::text[]) OR id = ANY($3::text[])
  OR id IN (SELECT parent_id FROM ${tables.executions} WHERE id = ANY($2::text[]) AND parent_id IS NOT NULL)
ORDER BY id FOR UPDATE`,
    [ids, [...new Set(ending.map((commit) => commit.executionId))], newParents],
  );
  const stored = new Map<string, ExecutionSummary>(locked.rows.map((row) => [String(row.id), summaryFromRow(row)]));

  const inboxIds = [...new Set(commits.filter((c) => (c.consumes ?? []).length > 0 || waitedEvents(c.suspend?.waits).length > 0).map((c) => c.executionId))];
  const inbox = new Map<string, InboxEvent[]>();
  if (inboxIds.length > 0) {
    const { rows } = await client.query(
      `SELECT execution_id, seq, name, payload, time FROM ${tables.inbox} WHERE execution_id = ANY($1::text[]) AND NOT consumed ORDER BY execution_id, seq`,
      [inboxIds],
    );
    for (const row of rows) inbox.set(String(row.execution_id), [...(inbox.get(String(row.execution_id)) ?? []), inboxEventFromRow(row)]);
  }
  const childIds = [...new Set(commits.flatMap((commit) => waitedChildren(commit)))].filter((id) => !stored.has(id));
  const children = new Map<string, ExecutionSummary>();
  if (childIds.length > 0) {
    const { rows } = await client.query(`SELECT ${summaryColumns} FROM ${tables.executions} WHERE id = ANY($1::text[])`, [childIds]);
    for (const row of rows) children.set(String(row.id), summaryFromRow(row));
  }

  const changed = new Map<string, ExecutionSummary>();
  const lengths = new Map<string, number>();
  const consumed = new Map<string, number[]>();
  const read = (id: string) => changed.get(id) ?? stored.get(id) ?? children.get(id);
  const pendingOf = (id: string) => (inbox.get(id) ?? []).filter((event) => !(consumed.get(id) ?? []).includes(event.seq));
  for (const commit of commits) {
    const { executionId, events } = commit;
    const length = lengths.get(executionId) ?? stored.get(executionId)?.events ?? 0;
    const conflict = commitConflict(commit, length, changed.get(executionId) ?? stored.get(executionId)) ?? unconsumable(commit, pendingOf(executionId));
    if (conflict !== undefined) throw conflict;
    if ((commit.consumes ?? []).length > 0) consumed.set(executionId, [...(consumed.get(executionId) ?? []), ...commit.consumes!]);
    lengths.set(executionId, length + events.length);
    if (events.length === 0) continue;
    const time = commitTime(events);
    let summary = nextSummary(changed.get(executionId) ?? stored.get(executionId), commit);
    if (commit.suspend !== undefined) summary = childFinished(summary, waitedChildren(commit).map(read), time, pendingOf(executionId));
    changed.set(executionId, summary);
    if (events.some((event) => endsExecution(event.type)) && summary.parentId !== undefined) {
      const parent = wakeParent(read(summary.parentId), time);
      if (parent !== undefined) changed.set(parent.executionId, parent);
    }
  }

  await insertEvents(client, tables.events, commits.flatMap((commit) => commit.events.map((event) => ({ executionId: commit.executionId, event }))));
  await writeSummaries(client, tables.executions, [...changed.values()]);
  const marks = [...consumed].flatMap(([id, seqs]) => seqs.map((seq) => [id, seq] as const));
  if (marks.length > 0) {
    await client.query(
      `UPDATE ${tables.inbox} SET consumed = true WHERE (execution_id, seq) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
      [marks.map(([id]) => id), marks.map(([, seq]) => seq)],
    );
  }
  const woken = [...changed.values()]
    .filter((summary) => (summary.state === "paused" && summary.wakeAt !== undefined && summary.wakeAt !== stored.get(summary.executionId)?.wakeAt)
      || (summary.queue !== undefined && stored.get(summary.executionId)?.state !== summary.state && (summary.state === "queued" || isTerminal(summary.state))))
    .map((summary) => summary.executionId);
  return { woken };
}

/** The reference store's inbox check: a `ConflictError` when a seq `commit` consumes is not in `pending`. */
function unconsumable(commit: Commit, pending: readonly InboxEvent[]): ConflictError | undefined {
  const missing = (commit.consumes ?? []).find((seq) => !pending.some((event) => event.seq === seq));
  if (missing === undefined) return undefined;
  return new ConflictError(`execution ${commit.executionId}'s inbox event ${missing} is unknown or already consumed: another runner consumed it`);
}

function validate({ executionId, events, expectedSeq }: Commit): void {
  if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0) {
    throw new UsageError(`invalid expectedSeq ${expectedSeq} for execution ${executionId}: give the log's length, a whole number`);
  }
  events.forEach((event, i) => {
    if (event.id !== expectedSeq + i) {
      throw new UsageError(`execution ${executionId}: event ${i} of a commit at ${expectedSeq} has id ${event.id}, not ${expectedSeq + i}`);
    }
  });
}
