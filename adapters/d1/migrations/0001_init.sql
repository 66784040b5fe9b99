-- flux-ts schema version 1, for `wrangler d1 migrations apply`.
-- The same statements as migration 1 in adapters/sql/sql-schema.ts (a test keeps them equal);
-- a D1Store also applies them itself on first use.

CREATE TABLE IF NOT EXISTS flux_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  schema_version INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS flux_events (
  execution_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 0),
  type TEXT NOT NULL,
  source_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (execution_id, seq)
);

CREATE TABLE IF NOT EXISTS flux_executions (
  id TEXT PRIMARY KEY NOT NULL,
  workflow TEXT NOT NULL,
  state TEXT NOT NULL,
  events INTEGER NOT NULL CONSTRAINT flux_expected_seq CHECK (events >= 0),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS flux_executions_newest ON flux_executions (created_at DESC, id DESC);

CREATE INDEX IF NOT EXISTS flux_executions_by_workflow ON flux_executions (workflow, created_at DESC, id DESC);

CREATE INDEX IF NOT EXISTS flux_executions_by_state ON flux_executions (state, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS flux_cache (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);

INSERT OR IGNORE INTO flux_meta (id, schema_version) VALUES (1, 1);
