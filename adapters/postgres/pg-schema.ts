/**
 * The PostgreSQL store's schema: the concepts of the SQL stores' schema (a log per execution, a
 * summary row that carries its state, waits, wake time, lease and cancellation, an inbox, a
 * cache), in PostgreSQL's own types, in a PostgreSQL schema of its own (`flux` by default) so
 * that it never meets an application's tables in the same database.
 *
 * - Times are `double precision`: exactly the JavaScript numbers the engine records, read back
 *   as numbers (a `bigint` would come back as text).
 * - Ids and workflow names are `COLLATE "C"`: `list` and `due` order by id as JavaScript
 *   compares strings, whatever the database's locale.
 * - `executions.waits` is `jsonb`, so a delivery finds "waits on an event of this name" with one
 *   containment test.
 */

/** The tables of the store in PostgreSQL schema `schema`, qualified. */
export function pgTables(schema: string) {
  return {
    meta: `${schema}.meta`,
    events: `${schema}.events`,
    executions: `${schema}.executions`,
    cache: `${schema}.cache`,
    inbox: `${schema}.inbox`,
    /** The sequence that gives each queued start its place in its queue. */
    queueSeq: `${schema}.queue_seq`,
  } as const;
}

/** The qualified table names of one store's schema ({@link pgTables}). */
export type PgTables = ReturnType<typeof pgTables>;

/** Every table name the store creates (unqualified): anything else in its schema is someone else's. */
export const pgTableNames: ReadonlySet<string> = new Set(["meta", "events", "executions", "cache", "inbox"]);

/** One step of the schema's history, applied in one transaction. Never edit a released one: append a new one. */
export interface PgMigration {
  readonly version: number;
  /** The statements, with `{s}` for the schema's name. */
  readonly statements: readonly string[];
}

/** Every migration, in order. */
export const pgMigrations: readonly PgMigration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE {s}.meta (
  id integer PRIMARY KEY CHECK (id = 1),
  schema_version integer NOT NULL
)`,
      `CREATE TABLE {s}.events (
  execution_id text COLLATE "C" NOT NULL,
  seq integer NOT NULL CHECK (seq >= 0),
  type text NOT NULL,
  source_id text NOT NULL,
  name text NOT NULL,
  value text NOT NULL,
  time double precision NOT NULL,
  PRIMARY KEY (execution_id, seq)
)`,
      `CREATE TABLE {s}.executions (
  id text COLLATE "C" PRIMARY KEY,
  workflow text COLLATE "C" NOT NULL,
  state text NOT NULL,
  events integer NOT NULL CHECK (events >= 0),
  created_at double precision NOT NULL,
  updated_at double precision NOT NULL,
  parent_id text COLLATE "C",
  waits jsonb,
  wake_at double precision,
  lease_owner text,
  lease_expires_at double precision,
  cancel_requested_at double precision,
  cancel_reason text
)`,
      `CREATE INDEX executions_newest ON {s}.executions (created_at DESC, id DESC)`,
      `CREATE INDEX executions_by_workflow ON {s}.executions (workflow, created_at DESC, id DESC)`,
      `CREATE INDEX executions_by_state ON {s}.executions (state, created_at DESC, id DESC)`,
      `CREATE INDEX executions_due ON {s}.executions (wake_at, id) WHERE wake_at IS NOT NULL`,
      `CREATE TABLE {s}.cache (
  key text PRIMARY KEY,
  value text NOT NULL
)`,
      `CREATE TABLE {s}.inbox (
  execution_id text COLLATE "C" NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  name text NOT NULL,
  payload text NOT NULL,
  time double precision NOT NULL,
  consumed boolean NOT NULL DEFAULT false,
  PRIMARY KEY (execution_id, seq)
)`,
      `CREATE INDEX inbox_pending ON {s}.inbox (execution_id, seq) WHERE NOT consumed`,
      `INSERT INTO {s}.meta (id, schema_version) VALUES (1, 1)`,
    ],
  },
  {
    // Named queues (StateStore.admit): the queue a start waits in and its place there (from a
    // sequence), when and by whom it was admitted. Existing rows are in no queue.
    version: 2,
    statements: [
      `ALTER TABLE {s}.executions ADD COLUMN queue text COLLATE "C"`,
      `ALTER TABLE {s}.executions ADD COLUMN queue_seq bigint`,
      `ALTER TABLE {s}.executions ADD COLUMN admitted_at double precision`,
      `ALTER TABLE {s}.executions ADD COLUMN admitted_by text`,
      `CREATE SEQUENCE {s}.queue_seq`,
      `CREATE INDEX executions_queue ON {s}.executions (queue, state, queue_seq) WHERE queue IS NOT NULL`,
      `CREATE INDEX executions_admitted ON {s}.executions (queue, admitted_at) WHERE admitted_at IS NOT NULL`,
    ],
  },
];

/** The newest schema version this code knows. */
export const pgSchemaVersion: number = pgMigrations[pgMigrations.length - 1]?.version ?? 0;
