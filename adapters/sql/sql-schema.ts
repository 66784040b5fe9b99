/**
 * The one SQL schema of every SQLite-family store (better-sqlite3, sql.js, D1).
 *
 * Every table is prefixed `flux_` so that a database shared with an application (typical for
 * D1) cannot collide with a table of its own, and so that a foreign database is recognised.
 * `adapters/d1/migrations/000N_*.sql` hold the same statements as migration N for wrangler;
 * a test keeps them equal.
 */

import type { ExecutionState } from "../../src/events.js";

/** The tables of the schema (at {@link schemaVersion}), by role. */
export const Tables = {
  meta: "flux_meta",
  events: "flux_events",
  executions: "flux_executions",
  cache: "flux_cache",
  inbox: "flux_inbox",
} as const;

/**
 * Tables of earlier schema versions that a later migration dropped. Still ours: a database that
 * holds one is an older flux-ts database (or one being migrated), never a foreign one.
 */
export const droppedTables = {
  /** Version 2's leases, one row per execution; version 3 keeps the lease in `flux_executions`. */
  leases: "flux_leases",
} as const;

/** The names of every table any version of the schema created (dropped ones included). */
export const fluxTableNames: ReadonlySet<string> = new Set([...Object.values(Tables), ...Object.values(droppedTables)]);

/**
 * The partial index of `StateStore.due` on `flux_executions (wake_at, id) WHERE wake_at IS NOT
 * NULL`: only executions that have a wake time are in it, in the order `due` returns them.
 */
export const dueIndex = "flux_executions_due";

/**
 * The constraint that a commit trips when the log does not hold exactly `expectedSeq` events:
 * the commit writes -1 into `flux_executions.events` instead of the new count.
 */
export const expectedSeqConstraint = "flux_expected_seq";

/**
 * The constraint of `flux_inbox.seq` (`seq >= 1`) that `StateStore.deliver` trips, writing -1,
 * when the execution has ended; for an unknown execution it writes NULL instead, which trips
 * the column's NOT NULL. The two refusals are told apart by the failed constraint's kind.
 */
export const inboxOpenConstraint = "flux_inbox_open";

/**
 * The partial index of `StateStore.pending` on `flux_inbox (execution_id, seq) WHERE consumed =
 * 0`: an execution's pending events are found without reading the ones commits consumed.
 */
export const pendingIndex = "flux_inbox_pending";

/**
 * The partial index of queues on `flux_executions (queue, state, queue_seq) WHERE queue IS NOT
 * NULL`: a queue's waiting executions in their order, and those that hold a slot, by range.
 */
export const queueIndex = "flux_executions_queue";

/** The partial index of a queue's admissions by time, `(queue, admitted_at)`: the rate window's count is one range. */
export const admittedIndex = "flux_executions_admitted";

/**
 * The CHECK of `flux_events.pos` (`pos >= 0`): an event whose execution has no summary row (no
 * number) gets -1 and fails it, in a commit and in the migration to version 5, instead of a
 * position SQLite would make up.
 */
export const eventOfExecutionConstraint = "flux_event_of_execution";

/**
 * Events of one execution sit at `num * eventsPerExecution + seq` in `flux_events` (see
 * migration 5): seqs stay below it, so two executions' ranges never meet.
 */
export const eventsPerExecution = 4294967296;

/**
 * The execution's events position base, `num * eventsPerExecution`, as a scalar subquery: the
 * one placeholder binds the execution's id; NULL when it has no summary row.
 */
export const eventBaseSql = `(SELECT num * ${eventsPerExecution} FROM ${Tables.executions} WHERE id = ?)`;

/** The states an execution never leaves (`isTerminal`), as `flux_executions.state` holds them. */
export const terminalStates: readonly ExecutionState[] = ["succeeded", "failed", "cancelled"];

/**
 * A SQL condition: `column` holds a terminal state. A chain of `=` rather than an `IN` list of
 * constants, for which SQLite would build a temporary index at every execution of the statement.
 */
export function endedSql(column: string): string {
  return `(${terminalStates.map((state) => `${column} = '${state}'`).join(" OR ")})`;
}

/** One step of the schema's history, applied as one atomic batch. */
export interface Migration {
  /** The `flux_meta.schema_version` after this migration. */
  readonly version: number;
  /** The tables this migration creates. */
  readonly creates: readonly string[];
  /** The tables this migration drops. */
  readonly drops: readonly string[];
  /**
   * The statements, without trailing semicolons (and none inside one: the D1 migration files are
   * split on them). `ensureSchema` runs them as one atomic batch that a guard fails when the
   * database already is at this version, so two openers may race (see `ensureSchema`).
   */
  readonly statements: readonly string[];
}

/** Every migration, in order. Never edit a released one: append a new one. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    creates: [Tables.meta, Tables.events, Tables.executions, Tables.cache],
    drops: [],
    statements: [
      `CREATE TABLE IF NOT EXISTS flux_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  schema_version INTEGER NOT NULL
)`,
      `CREATE TABLE IF NOT EXISTS flux_events (
  execution_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 0),
  type TEXT NOT NULL,
  source_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (execution_id, seq)
)`,
      `CREATE TABLE IF NOT EXISTS flux_executions (
  id TEXT PRIMARY KEY NOT NULL,
  workflow TEXT NOT NULL,
  state TEXT NOT NULL,
  events INTEGER NOT NULL CONSTRAINT ${expectedSeqConstraint} CHECK (events >= 0),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
)`,
      `CREATE INDEX IF NOT EXISTS flux_executions_newest ON flux_executions (created_at DESC, id DESC)`,
      `CREATE INDEX IF NOT EXISTS flux_executions_by_workflow ON flux_executions (workflow, created_at DESC, id DESC)`,
      `CREATE INDEX IF NOT EXISTS flux_executions_by_state ON flux_executions (state, created_at DESC, id DESC)`,
      `CREATE TABLE IF NOT EXISTS flux_cache (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
)`,
      `INSERT OR IGNORE INTO flux_meta (id, schema_version) VALUES (1, 1)`,
    ],
  },
  {
    version: 2,
    creates: [droppedTables.leases],
    drops: [],
    statements: [
      `CREATE TABLE IF NOT EXISTS flux_leases (
  execution_id TEXT PRIMARY KEY NOT NULL,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
)`,
      `UPDATE flux_meta SET schema_version = 2 WHERE id = 1 AND schema_version < 2`,
    ],
  },
  {
    // The summary row carries what a paused execution waits on, when it is due, its parent and
    // its lease. Existing rows get their lease from flux_leases (running ones only: a lease is
    // given up when an execution pauses or ends) and their wake time as nextSummary would have
    // set it: a running execution's lease expiry (its last event's time when nobody leases it),
    // a paused one's timer, which older versions kept only in their last WORKFLOW_PAUSED event
    // ({"pauses":[...],"wakeAt":N}).
    version: 3,
    creates: [],
    drops: [droppedTables.leases],
    statements: [
      `ALTER TABLE flux_executions ADD COLUMN parent_id TEXT`,
      `ALTER TABLE flux_executions ADD COLUMN waits TEXT`,
      `ALTER TABLE flux_executions ADD COLUMN wake_at INTEGER`,
      `ALTER TABLE flux_executions ADD COLUMN lease_owner TEXT`,
      `ALTER TABLE flux_executions ADD COLUMN lease_expires_at INTEGER`,
      `UPDATE flux_executions SET
  lease_owner = (SELECT owner FROM flux_leases WHERE flux_leases.execution_id = flux_executions.id),
  lease_expires_at = (SELECT expires_at FROM flux_leases WHERE flux_leases.execution_id = flux_executions.id)
WHERE state IN ('created', 'running')`,
      `UPDATE flux_executions SET wake_at = COALESCE(lease_expires_at, updated_at) WHERE state = 'running'`,
      `UPDATE flux_executions SET wake_at = (
  SELECT CASE WHEN json_valid(value) THEN CASE WHEN json_type(value, '$.wakeAt') IN ('integer', 'real') THEN json_extract(value, '$.wakeAt') END END
  FROM flux_events
  WHERE flux_events.execution_id = flux_executions.id AND flux_events.type = 'WORKFLOW_PAUSED'
  ORDER BY flux_events.seq DESC LIMIT 1
)
WHERE state = 'paused'`,
      `CREATE INDEX IF NOT EXISTS ${dueIndex} ON flux_executions (wake_at, id) WHERE wake_at IS NOT NULL`,
      `DROP TABLE flux_leases`,
      `UPDATE flux_meta SET schema_version = 3 WHERE id = 1 AND schema_version < 3`,
    ],
  },
  {
    // Each execution's inbox (events sent to it, kept once consumed, with the flag set, so that
    // seqs are never reused), and the cancellation asked for in its summary row. Existing rows
    // have no cancellation; there is nothing to fill in.
    version: 4,
    creates: [Tables.inbox],
    drops: [],
    statements: [
      `CREATE TABLE IF NOT EXISTS flux_inbox (
  execution_id TEXT NOT NULL,
  seq INTEGER NOT NULL CONSTRAINT ${inboxOpenConstraint} CHECK (seq >= 1),
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  time INTEGER NOT NULL,
  consumed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (execution_id, seq)
)`,
      `CREATE INDEX IF NOT EXISTS ${pendingIndex} ON flux_inbox (execution_id, seq) WHERE consumed = 0`,
      `ALTER TABLE flux_executions ADD COLUMN cancel_requested_at INTEGER`,
      `ALTER TABLE flux_executions ADD COLUMN cancel_reason TEXT`,
      `UPDATE flux_meta SET schema_version = 4 WHERE id = 1 AND schema_version < 4`,
    ],
  },
  {
    // Fewer pages written per step. Each execution gets a number (`num`, the rowid of its
    // summary row, assigned in order of creation), and its events are the rows of ONE B-tree at
    // `num * 2^32 + seq` (`pos`, the rowid of flux_events): a commit's events are one range of
    // it, the newest execution's at its end, where SQLite appends without rebalancing, and no
    // second B-tree (the primary-key index (execution_id, seq) of versions 1-4) is written per
    // event. Version 4 wrote 4 pages per step (the index alone 2: its inserts land in the middle
    // of the tree, by execution id, and rebalance it); version 5 writes 2: one leaf of events,
    // one of summaries. The summary table is rebuilt with `num` first (SQLite cannot add a rowid
    // alias), the events copied into it (an event whose execution has no summary row, or a seq
    // of 2^32 or more, would get -1 and fails the CHECK: the migration then applies nothing), the
    // old tables dropped (with their indexes) and the new ones renamed, then the indexes made again.
    version: 5,
    creates: [],
    drops: [],
    statements: [
      `CREATE TABLE flux_executions_v5 (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workflow TEXT NOT NULL,
  state TEXT NOT NULL,
  events INTEGER NOT NULL CONSTRAINT ${expectedSeqConstraint} CHECK (events >= 0),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  parent_id TEXT,
  waits TEXT,
  wake_at INTEGER,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  cancel_requested_at INTEGER,
  cancel_reason TEXT
)`,
      `INSERT INTO flux_executions_v5 (id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason)
SELECT id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason
FROM flux_executions ORDER BY created_at, id`,
      `CREATE TABLE flux_events_v5 (
  pos INTEGER PRIMARY KEY CONSTRAINT ${eventOfExecutionConstraint} CHECK (pos >= 0),
  type TEXT NOT NULL,
  source_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  time INTEGER NOT NULL
)`,
      `INSERT INTO flux_events_v5 (pos, type, source_id, name, value, time)
SELECT CASE WHEN e.seq < ${eventsPerExecution} THEN COALESCE(x.num * ${eventsPerExecution} + e.seq, -1) ELSE -1 END, e.type, e.source_id, e.name, e.value, e.time
FROM flux_events AS e LEFT JOIN flux_executions_v5 AS x ON x.id = e.execution_id`,
      `DROP TABLE flux_events`,
      `DROP TABLE flux_executions`,
      `ALTER TABLE flux_events_v5 RENAME TO flux_events`,
      `ALTER TABLE flux_executions_v5 RENAME TO flux_executions`,
      `CREATE INDEX flux_executions_newest ON flux_executions (created_at DESC, id DESC)`,
      `CREATE INDEX flux_executions_by_workflow ON flux_executions (workflow, created_at DESC, id DESC)`,
      `CREATE INDEX flux_executions_by_state ON flux_executions (state, created_at DESC, id DESC)`,
      `CREATE INDEX ${dueIndex} ON flux_executions (wake_at, id) WHERE wake_at IS NOT NULL`,
      `UPDATE flux_meta SET schema_version = 5 WHERE id = 1 AND schema_version < 5`,
    ],
  },
  {
    // Named queues (StateStore.admit): the queue a start waits in and its place there (greater
    // than that of every execution waiting in it when it was queued), and when and by whom it
    // was admitted. Existing rows are in no queue; there is nothing to fill in. Version 5 is the
    // events table's layout (another change); this one only adds columns and indexes.
    version: 6,
    creates: [],
    drops: [],
    statements: [
      `ALTER TABLE flux_executions ADD COLUMN queue TEXT`,
      `ALTER TABLE flux_executions ADD COLUMN queue_seq INTEGER`,
      `ALTER TABLE flux_executions ADD COLUMN admitted_at INTEGER`,
      `ALTER TABLE flux_executions ADD COLUMN admitted_by TEXT`,
      `CREATE INDEX IF NOT EXISTS ${queueIndex} ON flux_executions (queue, state, queue_seq) WHERE queue IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS ${admittedIndex} ON flux_executions (queue, admitted_at) WHERE admitted_at IS NOT NULL`,
      `UPDATE flux_meta SET schema_version = 6 WHERE id = 1 AND schema_version < 6`,
    ],
  },
];

/** The tables a database at schema `version` must hold: those its migrations created and did not drop since. */
export function tablesAt(version: number): string[] {
  const tables = new Set<string>();
  for (const migration of migrations) {
    if (migration.version > version) break;
    for (const table of migration.creates) tables.add(table);
    for (const table of migration.drops) tables.delete(table);
  }
  return [...tables];
}

/** The newest schema version this code knows: that of the last migration. */
export const schemaVersion: number = migrations[migrations.length - 1]?.version ?? 0;

/**
 * True for tables that may sit beside ours without making a database foreign: SQLite's own
 * (`sqlite_*`), D1's (`_cf_*`) and wrangler's migration log (`d1_migrations`).
 */
export function isSystemTable(name: string): boolean {
  return name.startsWith("sqlite_") || name.startsWith("_cf_") || name === "d1_migrations";
}
