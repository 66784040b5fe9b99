import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import { StoreError } from "../../src/errors.js";
import type { StateStore } from "../../src/state-store.js";
import { started, T0 } from "../conformance/case-context.js";

/** The tables of a database at the current schema version (4), sorted: what a migration must leave. */
export const currentTables: readonly string[] = ["flux_cache", "flux_events", "flux_executions", "flux_inbox", "flux_meta"];

/** Writes a SQLite file of another application: a `users` table with a row. */
export async function foreignDatabase(file: string): Promise<void> {
  const db = new Database(file);
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')");
  db.close();
}

/** Writes a flux database through `open`, then marks it as schema version 99 (rollback journal mode). */
export async function newerSchemaDatabase(file: string, open: () => Promise<StateStore>): Promise<void> {
  const store = await open();
  await store.commit("e", started("w", T0), { expectedSeq: 0 });
  await store.close();
  const db = new Database(file);
  db.pragma("journal_mode = DELETE");
  db.exec("UPDATE flux_meta SET schema_version = 99");
  db.close();
}

/**
 * Asserts that `open` rejects with a StoreError naming `file` and matching `message`, and that
 * the file's bytes (and its directory's listing) are the same afterwards.
 */
export async function expectRefusedUntouched(file: string, open: () => Promise<unknown>, message: RegExp): Promise<void> {
  const bytes = readFileSync(file);
  const listing = readdirSync(dirname(file)).sort();
  const error = await open().then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StoreError);
  expect((error as Error).message).toContain(file);
  expect((error as Error).message).toMatch(message);
  expect(readFileSync(file).equals(bytes)).toBe(true);
  expect(readdirSync(dirname(file)).sort()).toEqual(listing);
}

/** The names of the tables of an open better-sqlite3 database (SQLite's own excluded), sorted. */
export function tableNames(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((row) => row.name);
}
