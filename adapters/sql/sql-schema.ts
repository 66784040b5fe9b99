/**
 * The one SQL schema of every SQLite-family store (better-sqlite3, sql.js, D1).
 *
 * Every table is prefixed `flux_` so that a database shared with an application (typical for
 * D1) cannot collide with a table of its own, and so that a foreign database is recognised.
 * `adapters/d1/migrations/000N_*.sql` hold the same statements as migration N for wrangler;
 * a test keeps them equal.
 */

/** The tables of the schema, by role. */
export const Tables = {
  meta: "flux_meta",
  events: "flux_events",
  executions: "flux_executions",
  cache: "flux_cache",
  leases: "flux_leases",
} as const;

/** The names of every table the schema creates. */
export const fluxTableNames: ReadonlySet<string> = new Set(Object.values(Tables));

/**
 * The constraint that a commit trips when the log does not hold exactly `expectedSeq` events:
 * the commit writes -1 into `flux_executions.events` instead of the new count.
 */
export const expectedSeqConstraint = "flux_expected_seq";

/** One step of the schema's history, applied as one atomic batch. */
export interface Migration {
  /** The `flux_meta.schema_version` after this migration. */
  readonly version: number;
  /** The tables this migration creates. */
  readonly creates: readonly string[];
  /** The statements, without trailing semicolons. Idempotent, so that two openers may race. */
  readonly statements: readonly string[];
}

/** Every migration, in order. Never edit a released one: append a new one. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    creates: [Tables.meta, Tables.events, Tables.executions, Tables.cache],
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
    creates: [Tables.leases],
    statements: [
      `CREATE TABLE IF NOT EXISTS flux_leases (
  execution_id TEXT PRIMARY KEY NOT NULL,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
)`,
      `UPDATE flux_meta SET schema_version = 2 WHERE id = 1 AND schema_version < 2`,
    ],
  },
];

/** The tables a database at schema `version` must hold. */
export function tablesAt(version: number): string[] {
  return migrations.filter((migration) => migration.version <= version).flatMap((migration) => [...migration.creates]);
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
