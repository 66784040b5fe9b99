-- flux-ts schema version 4, for `wrangler d1 migrations apply`.
-- The same statements as migration 4 in adapters/sql/sql-schema.ts (a test keeps them equal);
-- a D1Store also applies them itself on first use.
-- Each execution's inbox of events sent to it (StateStore.deliver; consumed rows are kept with
-- the flag set, so that seqs are never reused; the partial index flux_inbox_pending serves
-- StateStore.pending), and the cancellation asked for (StateStore.requestCancel) in the summary
-- row. Not idempotent (SQLite has no ADD COLUMN IF NOT EXISTS): apply it with wrangler only to
-- a database a D1Store has not already brought to version 4 itself.

CREATE TABLE IF NOT EXISTS flux_inbox (
  execution_id TEXT NOT NULL,
  seq INTEGER NOT NULL CONSTRAINT flux_inbox_open CHECK (seq >= 1),
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  time INTEGER NOT NULL,
  consumed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (execution_id, seq)
);

CREATE INDEX IF NOT EXISTS flux_inbox_pending ON flux_inbox (execution_id, seq) WHERE consumed = 0;

ALTER TABLE flux_executions ADD COLUMN cancel_requested_at INTEGER;

ALTER TABLE flux_executions ADD COLUMN cancel_reason TEXT;

UPDATE flux_meta SET schema_version = 4 WHERE id = 1 AND schema_version < 4;
