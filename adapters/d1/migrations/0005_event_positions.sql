-- flux-ts schema version 5, for `wrangler d1 migrations apply`.
-- The same statements as migration 5 in adapters/sql/sql-schema.ts (a test keeps them equal);
-- a D1Store also applies them itself on first use.
-- Fewer pages written per step: each execution gets a number (num, the rowid of its summary
-- row), and its events are the rows of one B-tree at num * 2^32 + seq (pos), with no second
-- index on (execution_id, seq). Rebuilds flux_executions (num first) and flux_events, copying
-- every row; an event whose execution has no summary row fails the CHECK and nothing is applied.
-- Not idempotent: apply it with wrangler only to a database a D1Store has not already brought
-- to version 5 itself.

CREATE TABLE flux_executions_v5 (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workflow TEXT NOT NULL,
  state TEXT NOT NULL,
  events INTEGER NOT NULL CONSTRAINT flux_expected_seq CHECK (events >= 0),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  parent_id TEXT,
  waits TEXT,
  wake_at INTEGER,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  cancel_requested_at INTEGER,
  cancel_reason TEXT
);

INSERT INTO flux_executions_v5 (id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason)
SELECT id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason
FROM flux_executions ORDER BY created_at, id;

CREATE TABLE flux_events_v5 (
  pos INTEGER PRIMARY KEY CONSTRAINT flux_event_of_execution CHECK (pos >= 0),
  type TEXT NOT NULL,
  source_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  time INTEGER NOT NULL
);

INSERT INTO flux_events_v5 (pos, type, source_id, name, value, time)
SELECT CASE WHEN e.seq < 4294967296 THEN COALESCE(x.num * 4294967296 + e.seq, -1) ELSE -1 END, e.type, e.source_id, e.name, e.value, e.time
FROM flux_events AS e LEFT JOIN flux_executions_v5 AS x ON x.id = e.execution_id;

DROP TABLE flux_events;

DROP TABLE flux_executions;

ALTER TABLE flux_events_v5 RENAME TO flux_events;

ALTER TABLE flux_executions_v5 RENAME TO flux_executions;

CREATE INDEX flux_executions_newest ON flux_executions (created_at DESC, id DESC);

CREATE INDEX flux_executions_by_workflow ON flux_executions (workflow, created_at DESC, id DESC);

CREATE INDEX flux_executions_by_state ON flux_executions (state, created_at DESC, id DESC);

CREATE INDEX flux_executions_due ON flux_executions (wake_at, id) WHERE wake_at IS NOT NULL;

UPDATE flux_meta SET schema_version = 5 WHERE id = 1 AND schema_version < 5;
