import { UsageError } from "../../src/errors.js";
import { endsExecution, isTerminal, stateAfter } from "../../src/events.js";
import { commitTime, nextSummary, waitedChildren, waitedEvents } from "../../src/execution-summary.js";
import type { Commit, StoredEvent } from "../../src/state-store.js";
import type { SqlStatement } from "./sql-driver.js";
import { consumeStatements, eventWaitStatement } from "./sql-inbox.js";
import { namedStatement } from "./sql-named.js";
import { endedSql, eventBaseSql, eventsPerExecution, Tables } from "./sql-schema.js";

const table = Tables.executions;

/**
 * The lease side of a commit, inside the CASE that guards `events`: true when the commit claims
 * no lease, nobody holds one, the claimant holds it, or it lapsed (`leaseBlocks`, negated).
 */
const leaseAllows = "(:owner IS NULL OR lease_owner IS NULL OR lease_owner = :owner OR lease_expires_at <= :now)";

/**
 * The cancellation side of a commit, in the same CASE: true when no cancellation was asked for.
 * A commit whose events end the execution adds `:ends OR` before it (`commitConflict`); the
 * error that names the refusal reads the row again and finds the request (`conflictError`).
 */
const notCancelled = "cancel_requested_at IS NULL";

/** The state after the commit: the one of its last workflow-level event, or the row's own. */
const after = "COALESCE(:state, state)";

/** A new execution's row, every column from `nextSummary(undefined, commit)`; an existing row gets -1 (conflict). */
const insertSummary = namedStatement<"id" | "workflow" | "state" | "count" | "createdAt" | "time" | "parent" | "waits" | "wake" | "owner" | "expires">(
  `INSERT INTO ${table} (id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at)
VALUES (:id, :workflow, :state, :count, :createdAt, :time, :parent, :waits, :wake, :owner, :expires)
ON CONFLICT (id) DO UPDATE SET events = -1`,
);

/**
 * {@link insertSummary} for a start on a queue (`Commit.queue`): its place in the queue is one
 * more than the greatest of the executions waiting in it (from the queue index), computed in
 * the batch, so two starts never share one and admission follows their order.
 */
const insertQueued = namedStatement<"id" | "workflow" | "count" | "createdAt" | "time" | "parent" | "queue">(
  `INSERT INTO ${table} (id, workflow, state, events, created_at, updated_at, parent_id, queue, queue_seq)
VALUES (:id, :workflow, 'queued', :count, :createdAt, :time, :parent, :queue,
  (SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM ${table} WHERE queue = :queue AND state = 'queued'))
ON CONFLICT (id) DO UPDATE SET events = -1`,
);

/**
 * An existing execution's row after a non-empty commit, `nextSummary` in SQL: every expression
 * reads the row as it was before this statement (SQLite's UPDATE semantics). (No `IN` lists
 * of constants: SQLite builds a temporary index for one at every execution, which doubled the
 * cost of this statement.)
 * - events: the new count when `expectedSeq` matches, the lease allows and no cancellation was
 *   asked for (or the commit ends the execution: `:ends`), else -1 (conflict);
 * - lease: given up when the commit leaves it paused or finished, taken with `expiresAt`;
 * - waits: the suspension's while paused, kept while created, cleared otherwise;
 * - wake_at: the suspension's while paused; while running the claim's expiry, or on entering
 *   running the lease's expiry (else the commit's time), else unchanged; cleared once finished;
 * - cancel: cleared once finished (`:finished`, the commit's state is terminal).
 */
const updateSummary = namedStatement<"id" | "seq" | "count" | "owner" | "now" | "ends" | "expires" | "state" | "time" | "suspended" | "waits" | "wake" | "finished">(
  `UPDATE ${table} SET
  events = CASE WHEN events = :seq AND ${leaseAllows} AND (:ends OR ${notCancelled}) THEN events + :count ELSE -1 END,
  state = ${after},
  updated_at = :time,
  lease_owner = CASE WHEN ${after} = 'running' OR ${after} = 'created' THEN CASE WHEN :expires IS NULL THEN lease_owner ELSE :owner END END,
  lease_expires_at = CASE WHEN ${after} = 'running' OR ${after} = 'created' THEN COALESCE(:expires, lease_expires_at) END,
  waits = CASE ${after} WHEN 'paused' THEN CASE WHEN :suspended THEN :waits ELSE waits END WHEN 'created' THEN waits ELSE NULL END,
  wake_at = CASE ${after}
    WHEN 'paused' THEN CASE WHEN :suspended THEN :wake ELSE wake_at END
    WHEN 'running' THEN COALESCE(:expires, CASE WHEN state = 'running' THEN wake_at ELSE COALESCE(lease_expires_at, :time) END)
    WHEN 'created' THEN wake_at
    ELSE NULL END,
  cancel_requested_at = CASE WHEN :finished THEN NULL ELSE cancel_requested_at END,
  cancel_reason = CASE WHEN :finished THEN NULL ELSE cancel_reason END
WHERE id = :id`,
);

/**
 * {@link updateSummary} for the commonest commit, a step's: no workflow-level event, no lease
 * taken (`expiresAt`), no suspension. It sets no indexed column, so SQLite rewrites no index
 * entry: the state stays; `wake_at` and `waits` stay too, which is what `nextSummary` gives,
 * because every other write keeps these invariants: a finished row has neither, a running
 * row has no waits (see the SET clauses of `updateSummary`, `lease()`, the wakes and the
 * migration). Only the lease goes when the row is paused or finished (a `lease()` call may have
 * set one there). Its events cannot end the execution, so a cancellation asked for refuses it.
 */
const updateStep = namedStatement<"id" | "seq" | "count" | "owner" | "now" | "time">(
  `UPDATE ${table} SET
  events = CASE WHEN events = :seq AND ${leaseAllows} AND ${notCancelled} THEN events + :count ELSE -1 END,
  updated_at = :time,
  lease_owner = CASE WHEN state = 'running' OR state = 'created' THEN lease_owner END,
  lease_expires_at = CASE WHEN state = 'running' OR state = 'created' THEN lease_expires_at END
WHERE id = :id`,
);

/** An empty commit: only the checks (a row that is not there holds 0 events, no lease and no cancellation). */
const checkSummary = namedStatement<"id" | "seq" | "owner" | "now">(
  `UPDATE ${table} SET events = CASE WHEN events = :seq AND ${leaseAllows} AND ${notCancelled} THEN events ELSE -1 END WHERE id = :id`,
);

/** Fails (CHECK) when the execution has no summary row; writes nothing otherwise. */
const requireSummary = namedStatement<"id">(
  `INSERT INTO ${table} (id, workflow, state, events, created_at, updated_at)
SELECT :id, '', 'created', -1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE id = :id)`,
);

/** D1 binds at most 100 parameters per statement; the child and parent statements take 90 ids at most. */
const idsPerStatement = 90;

/** `childFinished`: a just-suspended execution becomes due at :time when one of the listed children finished. */
function childFinishedStatement(count: number) {
  return namedStatement<"id" | "time" | `c${number}`>(
    `UPDATE ${table} SET wake_at = :time
WHERE id = :id AND state = 'paused' AND (wake_at IS NULL OR wake_at > :time)
  AND EXISTS (SELECT 1 FROM ${table} AS child WHERE child.id IN (${Array.from({ length: count }, (_, i) => `:c${i}`).join(", ")})
    AND ${endedSql("child.state")})`,
  );
}
const childFinishedStatements = new Map<number, ReturnType<typeof childFinishedStatement>>();

/** `wakeParent`: the paused parent of the execution :id (which just finished) becomes due at :time. */
const wakeParent = namedStatement<"id" | "time">(
  `UPDATE ${table} SET wake_at = :time
WHERE id = (SELECT parent_id FROM ${table} AS child WHERE child.id = :id)
  AND state = 'paused' AND (wake_at IS NULL OR wake_at > :time)`,
);

/** D1 binds at most 100 parameters per statement; the execution's id and 16 events of 6 take 97. */
const eventsPerInsert = 16;

/**
 * Appends `count` events of one execution at their positions, `num * 2^32 + seq` (see schema
 * version 5): the first parameter is the execution's id, whose number is read once, then 6 per
 * event (seq, type, source_id, name, value, time). An execution with no summary row gives -1,
 * which the CHECK `flux_event_of_execution` refuses.
 */
function insertEvents(count: number): string {
  const rows = Array.from({ length: count }, () => "(?, ?, ?, ?, ?, ?)").join(", ");
  return `INSERT INTO ${Tables.events} (pos, type, source_id, name, value, time)
SELECT COALESCE(${eventBaseSql} + column1, -1), column2, column3, column4, column5, column6 FROM (VALUES ${rows})`;
}

/**
 * The statements that append `commits` and keep their summaries in step, to run as ONE atomic
 * batch, in order (a commit sees the rows as the earlier commits of the batch left them). No
 * read comes first, so a commit is one round trip (D1).
 *
 * How a conflict is refused, inside the batch: the summary row's `events` column is the log's
 * length, and its CHECK (`events >= 0`) fails the whole batch when a commit finds it wrong or
 * finds another owner's live lease, or a cancellation asked for when the commit does not end
 * the execution (one CASE checks all three). With `expectedSeq` 0 the row is inserted (an
 * existing row is set to -1); otherwise a guard inserts a row of -1 when there is none (SQLite
 * checks CHECK before uniqueness). Empty commits are checked the same way and change nothing
 * but their `consumes`. The events' key, `pos` (the execution's number and the seq, see schema
 * version 5), is a second guard, and `consumes` has its own (a row of -1 too, when a seq is not
 * pending).
 *
 * Pages written: a step commit writes the summary row's leaf and the leaf its events are
 * appended to (the newest execution's at the end of the events' B-tree), and no index: the step
 * statement sets no indexed column.
 *
 * Statements per commit: a step commit to a running execution is 3 (guard, summary, events: one
 * more per 16 events); a new execution's first commit 2. Only a suspension that waits on
 * children adds one statement per 90 of them (`childFinished`), only a suspension that waits on
 * events one (`eventWaitStatement`: a pending event of a waited name), only a commit that
 * consumes inbox events two (`consumeStatements`: guard, mark), and only a commit whose events
 * finish the execution one (`wakeParent`, found through the row's parent_id).
 *
 * Throws {@link UsageError} when `expectedSeq` is not a whole number or an event's id is not its
 * position (`expectedSeq + i`).
 */
export function commitStatements(commits: readonly Commit[]): SqlStatement[] {
  const statements: SqlStatement[] = [];
  for (const commit of commits) {
    validate(commit);
    const { executionId: id, events, expectedSeq } = commit;
    const claim = commit.lease;
    const lease = { owner: claim?.owner ?? null, now: claim?.now ?? 0 };
    if (expectedSeq > 0) statements.push(requireSummary({ id }));
    if (events.length === 0) {
      // As the reference store does, an empty commit's consumes are checked and marked too.
      statements.push(checkSummary({ id, seq: expectedSeq, ...lease }), ...consumeStatements(id, commit.consumes));
      continue;
    }
    const time = commitTime(events);
    const changed = stateAfter("created", events.map((event) => event.type));
    const state = changed === "created" ? null : changed;
    if (expectedSeq === 0) {
      const summary = nextSummary(undefined, commit);
      if (summary.state === "queued") {
        statements.push(insertQueued({
          id, workflow: summary.workflow, count: events.length, createdAt: summary.createdAt, time, parent: summary.parentId ?? null, queue: summary.queue ?? null,
        }));
      } else statements.push(insertSummary({
        id, workflow: summary.workflow, state: summary.state, count: events.length, createdAt: summary.createdAt, time,
        parent: summary.parentId ?? null, waits: summary.waits === undefined ? null : JSON.stringify(summary.waits),
        wake: summary.wakeAt ?? null, owner: summary.lease?.owner ?? null, expires: summary.lease?.expiresAt ?? null,
      }));
    } else if (state === null && claim?.expiresAt === undefined && commit.suspend === undefined) {
      statements.push(updateStep({ id, seq: expectedSeq, count: events.length, ...lease, time }));
    } else {
      const suspend = commit.suspend;
      statements.push(updateSummary({
        id, seq: expectedSeq, count: events.length, ...lease, ends: events.some((event) => endsExecution(event.type)) ? 1 : 0,
        expires: claim?.expiresAt ?? null, state, time, suspended: suspend === undefined ? 0 : 1,
        waits: suspend === undefined ? null : JSON.stringify(suspend.waits), wake: suspend?.wakeAt ?? null, finished: state !== null && isTerminal(state) ? 1 : 0,
      }));
    }
    insertEventStatements(statements, id, events);
    statements.push(...consumeStatements(id, commit.consumes));
    const children = commit.suspend === undefined ? [] : [...new Set(waitedChildren(commit))];
    for (let start = 0; start < children.length; start += idsPerStatement) {
      const chunk = children.slice(start, start + idsPerStatement);
      let make = childFinishedStatements.get(chunk.length);
      if (make === undefined) childFinishedStatements.set(chunk.length, (make = childFinishedStatement(chunk.length)));
      statements.push(make({ id, time, ...Object.fromEntries(chunk.map((child, i) => [`c${i}`, child])) }));
    }
    const names = [...new Set(waitedEvents(commit.suspend?.waits))];
    if (names.length > 0) statements.push(eventWaitStatement({ id, time, names: JSON.stringify(names) }));
    if (state !== null && isTerminal(state)) statements.push(wakeParent({ id, time }));
  }
  return statements;
}

function insertEventStatements(statements: SqlStatement[], executionId: string, events: readonly StoredEvent[]): void {
  for (let start = 0; start < events.length; start += eventsPerInsert) {
    const chunk = events.slice(start, start + eventsPerInsert);
    statements.push({
      sql: insertEvents(chunk.length),
      params: [executionId, ...chunk.flatMap((event) => [event.id, event.type, event.sourceId, event.name, event.value, event.time])],
    });
  }
}

function validate({ executionId, events, expectedSeq }: Commit): void {
  if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0) {
    throw new UsageError(`invalid expectedSeq ${expectedSeq} for execution ${executionId}: give the log's length, a whole number`);
  }
  if (expectedSeq + events.length > eventsPerExecution) {
    throw new UsageError(`the commit to execution ${executionId} would take its log past ${eventsPerExecution} events, the most one execution holds: start a new execution`);
  }
  events.forEach((event, i) => {
    if (event.id !== expectedSeq + i) {
      throw new UsageError(
        `event ${i} of the commit to execution ${executionId} has id ${event.id}, not ${expectedSeq + i}: ids must continue the log`,
      );
    }
  });
}
