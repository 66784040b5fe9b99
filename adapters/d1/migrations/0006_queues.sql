-- flux-ts schema version 6, for `wrangler d1 migrations apply`.
-- The same statements as migration 6 in adapters/sql/sql-schema.ts (a test keeps them equal);
-- a D1Store also applies them itself on first use.
-- Named queues (StateStore.admit): the queue a start waits in and its place there, and when and
-- by whom it was admitted; the partial indexes flux_executions_queue (a queue's waiting
-- executions in order, and those holding a slot) and flux_executions_admitted (the rate
-- window's count). Not idempotent (SQLite has no ADD COLUMN IF NOT EXISTS): apply it with
-- wrangler only to a database a D1Store has not already brought to version 6 itself.

ALTER TABLE flux_executions ADD COLUMN queue TEXT;

ALTER TABLE flux_executions ADD COLUMN queue_seq INTEGER;

ALTER TABLE flux_executions ADD COLUMN admitted_at INTEGER;

ALTER TABLE flux_executions ADD COLUMN admitted_by TEXT;

CREATE INDEX IF NOT EXISTS flux_executions_queue ON flux_executions (queue, state, queue_seq) WHERE queue IS NOT NULL;

CREATE INDEX IF NOT EXISTS flux_executions_admitted ON flux_executions (queue, admitted_at) WHERE admitted_at IS NOT NULL;

UPDATE flux_meta SET schema_version = 6 WHERE id = 1 AND schema_version < 6;
