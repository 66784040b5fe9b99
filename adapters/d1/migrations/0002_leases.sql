-- flux-ts schema version 2, for `wrangler d1 migrations apply`.
-- The same statements as migration 2 in adapters/sql/sql-schema.ts (a test keeps them equal);
-- a D1Store also applies them itself on first use.

CREATE TABLE IF NOT EXISTS flux_leases (
  execution_id TEXT PRIMARY KEY NOT NULL,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

UPDATE flux_meta SET schema_version = 2 WHERE id = 1 AND schema_version < 2;
