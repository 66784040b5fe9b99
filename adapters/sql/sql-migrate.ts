import { StoreError } from "../../src/errors.js";
import type { SqlDriver } from "./sql-driver.js";
import { fluxTableNames, isSystemTable, migrations, schemaVersion, tablesAt, Tables } from "./sql-schema.js";

/** How {@link ensureSchema} treats a database. */
export interface EnsureSchemaOptions {
  /**
   * Accept tables that are not flux-ts's beside ours (a D1 database shared with an application).
   * Off by default: a file with someone else's tables is refused untouched.
   */
  readonly allowOtherTables?: boolean;
}

/**
 * Checks that the database is empty or holds a flux-ts schema this code can use, then brings
 * the schema up to {@link schemaVersion}, each migration as one atomic batch.
 *
 * Guarantees: a database that is not SQLite, holds foreign tables (unless allowed), has a newer
 * schema version, or a damaged flux schema is rejected with a {@link StoreError} naming it, and
 * nothing is written to it: every check is a read made before the first write. Two processes
 * opening one database at once are safe: each migration is one atomic batch guarded by the
 * version it brings the database to, so it is applied exactly once, and a batch that fails
 * because the other process applied that migration first is not an error.
 *
 * @example
 * await ensureSchema(driver); // then use the tables
 */
export async function ensureSchema(driver: SqlDriver, options: EnsureSchemaOptions = {}): Promise<void> {
  const what = driver.description;
  let tables: string[];
  try {
    const rows = await driver.all({ sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')", params: [] });
    tables = rows.map((row) => String(row.name));
  } catch (error) {
    throw new StoreError(
      `${what} cannot be read as a SQLite database (${messageOf(error)}): it is corrupt or not a database. ` +
        "flux-ts left it untouched: move it away, or give the store another path.",
      { cause: error },
    );
  }
  const foreign = tables.filter((name) => !fluxTableNames.has(name) && !isSystemTable(name));
  if (foreign.length > 0 && options.allowOtherTables !== true) {
    throw new StoreError(
      `${what} is not a flux-ts database: it holds tables of another application (${listNames(foreign)}). ` +
        "flux-ts left it untouched: give the store a database of its own (a D1Store shares one with allowOtherTables: true).",
    );
  }
  const ours = tables.filter((name) => fluxTableNames.has(name));
  let version = 0;
  if (ours.length > 0) {
    version = ours.includes(Tables.meta) ? await readVersion(driver) : -1;
    if (version > schemaVersion) {
      throw new StoreError(
        `${what} has flux-ts schema version ${version}, newer than version ${schemaVersion} that this flux-ts knows: ` +
          "upgrade flux-ts to open it. flux-ts left it untouched.",
      );
    }
    const missing = version < 1 ? [`${Tables.meta}'s version row`] : tablesAt(version).filter((name) => !ours.includes(name));
    if (missing.length > 0) {
      throw new StoreError(
        `${what} holds a damaged flux-ts schema (missing ${listNames(missing)}): ` +
          "restore it from a backup or move it away. flux-ts left it untouched.",
      );
    }
  }
  for (const migration of migrations) {
    if (migration.version <= version) continue;
    try {
      await driver.batch([
        // Fails the batch (a second row with id 1) when another opener applied this migration
        // since the version was read: a migration then never runs twice, so none needs to be
        // idempotent (SQLite has no ADD COLUMN IF NOT EXISTS), and an older one never runs after
        // a newer one (version 2's flux_leases is not created again once version 3 dropped it).
        // Migration 1 creates flux_meta and is idempotent.
        ...(version < 1 ? [] : [{ sql: alreadyAppliedGuard, params: [migration.version] }]),
        ...migration.statements.map((sql) => ({ sql, params: [] })),
        // Never lowers the version: a slower opener running an older migration must not undo a newer one.
        { sql: `UPDATE ${Tables.meta} SET schema_version = ? WHERE id = 1 AND schema_version < ?`, params: [migration.version, migration.version] },
      ]);
    } catch (error) {
      const now = await readVersion(driver).catch(() => 0);
      if (now < migration.version) {
        throw new StoreError(
          `migrating ${what} to flux-ts schema version ${migration.version} failed (${messageOf(error)}); nothing of it was applied.`,
          { cause: error },
        );
      }
    }
    version = migration.version;
  }
}

const alreadyAppliedGuard = `INSERT INTO ${Tables.meta} (id, schema_version)
SELECT id, schema_version FROM ${Tables.meta} WHERE id = 1 AND schema_version >= ?`;

async function readVersion(driver: SqlDriver): Promise<number> {
  const rows = await driver.all({ sql: `SELECT schema_version FROM ${Tables.meta} WHERE id = 1`, params: [] });
  const version = rows[0]?.schema_version;
  return typeof version === "number" && Number.isSafeInteger(version) ? version : -1;
}

function listNames(names: readonly string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(", ")}, ...` : names.join(", ");
}

/** The message of an unknown thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
