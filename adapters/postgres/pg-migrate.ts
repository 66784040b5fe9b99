import { StoreError } from "../../src/errors.js";
import { messageOf } from "../sql/sql-migrate.js";
import type { PgClientLike, PgPoolLike } from "./pg-like.js";
import { pgMigrations, pgSchemaVersion, pgTableNames } from "./pg-schema.js";

/**
 * Brings the store's PostgreSQL schema `schema` to {@link pgSchemaVersion}, in ONE transaction
 * under a transaction-level advisory lock (so two processes opening one database at once take
 * turns: the second finds the work done). Creates the schema when it does not exist.
 *
 * Refused with a {@link StoreError} naming the database, and nothing written (the transaction
 * is rolled back): a schema that holds tables that are not flux-ts's, a flux-ts schema with a
 * newer version than this code knows (upgrade flux-ts), or a damaged one (tables missing).
 */
export async function ensurePgSchema(pool: PgPoolLike, schema: string, description: string): Promise<void> {
  let client: PgClientLike;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new StoreError(`connecting to ${description} failed (${messageOf(error)}): check the URL, and that PostgreSQL runs and accepts this user`, { cause: error });
  }
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`flux-ts schema ${schema}`]);
    const { rows } = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema]);
    const tables = rows.map((row) => String(row.table_name));
    const foreign = tables.filter((name) => !pgTableNames.has(name));
    if (foreign.length > 0) {
      throw new StoreError(
        `${description} has tables that are not flux-ts's in its schema "${schema}" (${foreign.slice(0, 5).join(", ")}): ` +
          "flux-ts left them untouched. Give the store a schema of its own (the schema option, or ?schema= in the URL).",
      );
    }
    let version = 0;
    if (tables.length > 0) {
      version = tables.includes("meta") ? await readVersion(client, schema) : -1;
      if (version > pgSchemaVersion) {
        throw new StoreError(
          `${description} has flux-ts schema version ${version}, newer than version ${pgSchemaVersion} that this flux-ts knows: ` +
            "upgrade flux-ts (every process that shares the database) to open it. flux-ts left it untouched.",
        );
      }
      const missing = [...pgTableNames].filter((name) => !tables.includes(name));
      if (version < 1 || missing.length > 0) {
        throw new StoreError(
          `${description} holds a damaged flux-ts schema "${schema}" (missing ${version < 1 ? "its version row" : missing.join(", ")}): ` +
            "restore it from a backup, or give the store another schema. flux-ts left it untouched.",
        );
      }
    } else {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    }
    for (const migration of pgMigrations) {
      if (migration.version <= version) continue;
      for (const statement of migration.statements) await client.query(statement.replaceAll("{s}", schema));
      await client.query(`UPDATE ${schema}.meta SET schema_version = $1 WHERE id = 1`, [migration.version]);
    }
    await client.query("COMMIT");
    client.release();
  } catch (error) {
    await client.query("ROLLBACK").then(() => client.release(), () => client.release(true));
    if (error instanceof StoreError) throw error;
    throw new StoreError(`preparing flux-ts schema "${schema}" in ${description} failed (${messageOf(error)}); nothing of it was applied`, { cause: error });
  }
}

async function readVersion(client: PgClientLike, schema: string): Promise<number> {
  const { rows } = await client.query(`SELECT schema_version FROM ${schema}.meta WHERE id = 1`);
  const version = rows[0]?.schema_version;
  return typeof version === "number" && Number.isSafeInteger(version) ? version : -1;
}
