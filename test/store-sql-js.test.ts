import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { openSqlJsStore, SqlJsStore } from "../adapters/sql-js/index.js";
import { schemaVersion } from "../adapters/sql/sql-schema.js";
import type { StateStore } from "../src/state-store.js";
import { started, T0, tasks } from "./conformance/case-context.js";
import { expectLegacyMigrated, legacyV2Statements } from "./support/legacy-v2.js";
import { expectV3Migrated, legacyV3Statements } from "./support/legacy-v3.js";
import { expectV4Migrated, legacyV4Statements } from "./support/legacy-v4.js";
import { expectEveryKind, expectSameAsReference } from "./support/random-commits.js";
import { currentTables, expectRefusedUntouched, foreignDatabase, newerSchemaDatabase, tableNames } from "./support/sql-files.js";
import { tempDir } from "./support/temp-dir.js";
import { testStateStore } from "./store-conformance.js";

const dir = tempDir("sql-js");
let counter = 0;
const path = () => join(dir, `store-${++counter}.db`);

testStateStore({
  name: "sql.js",
  create: () => openSqlJsStore(),
  reopen: async (store) => {
    const data = await (store as SqlJsStore).export();
    await store.close();
    return openSqlJsStore({ data });
  },
  skip: [{ reason: "a sql.js database lives in one realm's memory: there is no second handle on it", tests: ["lets exactly one of two handles on the same data win, commits and leases", "concurrent admissions through two handles never exceed the limit"] }],
});

describe("SqlJsStore", () => {
  const opened: StateStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const fromFile = async (file: string) => {
    const store = await openSqlJsStore({ data: readFileSync(file), name: file });
    opened.push(store);
    return store;
  };

  it("refuses bytes that are not SQLite, naming them, and leaves the file unchanged", async () => {
    const file = path();
    writeFileSync(file, "not a database, just text\n".repeat(300));
    await expectRefusedUntouched(file, () => fromFile(file), /cannot be read as a SQLite database/);
  });

  it("refuses a database with another application's tables, untouched", async () => {
    const file = path();
    await foreignDatabase(file);
    await expectRefusedUntouched(file, () => fromFile(file), /tables of another application \(users\)/);
  });

  it("refuses a database with a newer schema version, untouched", async () => {
    const file = path();
    await newerSchemaDatabase(file, () => openSqliteStore(file));
    await expectRefusedUntouched(file, () => fromFile(file), new RegExp(`schema version 99, newer than version ${schemaVersion}`));
  });

  it("exports a SQLite file that better-sqlite3 opens, and never modifies the bytes it was given", async () => {
    const store = await openSqlJsStore();
    opened.push(store);
    await store.commit("e", [...started("w", T0), ...tasks(1, 2)], { expectedSeq: 0 });
    const bytes = await store.export();
    const copy = bytes.slice();
    const again = await openSqlJsStore({ data: bytes });
    opened.push(again);
    await again.commit("e", tasks(3, 1), { expectedSeq: 3 });
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true);
    const file = path();
    writeFileSync(file, bytes);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM flux_events WHERE pos / 4294967296 = (SELECT num FROM flux_executions WHERE id = 'e')").get()).toEqual({ n: 3 });
    db.close();
    const sqlite = await openSqliteStore(file);
    opened.push(sqlite);
    expect((await sqlite.get("e"))?.events).toBe(3);
  });

  it("migrates a version-2 database (leases in flux_leases, wake times in pause events): leases carried over, due() exact", async () => {
    const file = path();
    const v2 = new Database(file);
    for (const { sql, params } of legacyV2Statements()) v2.prepare(sql).run(...params);
    v2.close();
    const store = await fromFile(file);
    await expectLegacyMigrated(store);
    writeFileSync(file, await store.export());
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    expect(tableNames(db)).toEqual(currentTables);
    db.close();
  });

  it("migrates a version-3 database (no inbox, no cancellation) to the current version, keeping its data; inboxes and cancellations then work", async () => {
    const file = path();
    const v3 = new Database(file);
    for (const { sql, params } of legacyV3Statements()) v3.prepare(sql).run(...params);
    v3.close();
    const store = await fromFile(file);
    await expectV3Migrated(store);
    writeFileSync(file, await store.export());
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    expect(tableNames(db)).toEqual(currentTables);
    db.close();
  });

  it("migrates a version-4 database with executions in every state, inboxes, leases and cache: everything reads back as it was, and goes on", async () => {
    const file = path();
    const v4 = new Database(file);
    for (const { sql, params } of legacyV4Statements()) v4.prepare(sql).run(...params);
    v4.close();
    const store = await fromFile(file);
    await expectV4Migrated(store);
    writeFileSync(file, await store.export());
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    expect(tableNames(db)).toEqual(currentTables);
    db.close();
  });

  it("keeps summaries, inboxes, due lists and conflicts equal to the reference store over random commits", async () => {
    const store = await openSqlJsStore();
    opened.push(store);
    expectEveryKind([await expectSameAsReference(store, 13)]);
  });

  it("rejects export after close", async () => {
    const store = await openSqlJsStore();
    await store.close();
    await expect(store.export()).rejects.toThrow(/in-memory sql.js database is closed/);
  });
});
