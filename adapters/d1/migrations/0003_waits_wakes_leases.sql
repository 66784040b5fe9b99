-- flux-ts schema version 3, for `wrangler d1 migrations apply`.
-- The same statements as migration 3 in adapters/sql/sql-schema.ts (a test keeps them equal);
-- a D1Store also applies them itself on first use.
-- The summary row gains a subworkflow's parent, a paused execution's waits, its wake time (the
-- partial index flux_executions_due serves StateStore.due) and the running runner's lease,
-- which moves here from flux_leases (dropped). Not idempotent (SQLite has no ADD COLUMN IF NOT
-- EXISTS): apply it with wrangler only to a database a D1Store has not already brought to
-- version 3 itself; wrangler then records it and a D1Store finds nothing left to do.

ALTER TABLE flux_executions ADD COLUMN parent_id TEXT;

ALTER TABLE flux_executions ADD COLUMN waits TEXT;

ALTER TABLE flux_executions ADD COLUMN wake_at INTEGER;

ALTER TABLE flux_executions ADD COLUMN lease_owner TEXT;

ALTER TABLE flux_executions ADD COLUMN lease_expires_at INTEGER;

UPDATE flux_executions SET
  lease_owner = (SELECT owner FROM flux_leases WHERE flux_leases.execution_id = flux_executions.id),
  lease_expires_at = (SELECT expires_at FROM flux_leases WHERE flux_leases.execution_id = flux_executions.id)
WHERE state IN ('created', 'running');

UPDATE flux_executions SET wake_at = COALESCE(lease_expires_at, updated_at) WHERE state = 'running';

UPDATE flux_executions SET wake_at = (
  SELECT CASE WHEN json_valid(value) THEN CASE WHEN json_type(value, '$.wakeAt') IN ('integer', 'real') THEN json_extract(value, '$.wakeAt') END END
  FROM flux_events
  WHERE flux_events.execution_id = flux_executions.id AND flux_events.type = 'WORKFLOW_PAUSED'
  ORDER BY flux_events.seq DESC LIMIT 1
)
WHERE state = 'paused';

CREATE INDEX IF NOT EXISTS flux_executions_due ON flux_executions (wake_at, id) WHERE wake_at IS NOT NULL;

DROP TABLE flux_leases;

UPDATE flux_meta SET schema_version = 3 WHERE id = 1 AND schema_version < 3;
