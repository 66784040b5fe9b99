import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { BetterSqliteDriver, defaultSqlitePath, openSqliteStore, SqliteStore } from "../adapters/sqlite/index.js";
import type { SqlDriver } from "../adapters/sql/sql-driver.js";
import { migrations, schemaVersion } from "../adapters/sql/sql-schema.js";
import { SqlStore } from "../adapters/sql/sql-store.js";
import { StoreError, UsageError } from "../src/errors.js";
import type { StateStore } from "../src/state-store.js";
import { started, T0, tasks } from "./conformance/case-context.js";
import { expectLegacyMigrated, legacyV2Statements } from "./support/legacy-v2.js";
import { expectV3Migrated, legacyV3Statements } from "./support/legacy-v3.js";
import { expectEveryKind, expectSameAsReference } from "./support/random-commits.js";
import { currentTables, expectRefusedUntouched, foreignDatabase, newerSchemaDatabase, tableNames } from "./support/sql-files.js";
import { tempDir } from "./support/temp-dir.js";
import { testStateStore } from "./store-conformance.js";
import { sqliteStoresClosedAfterEach } from "./support/opened-stores.js";

const dir = tempDir("sqlite");
let counter = 0;
const path = () => join(dir, `store-${++counter}.db`);

testStateStore({
  name: "sqlite (better-sqlite3)",
  create: () => openSqliteStore(path()),
  reopen: async (store) => {
    await store.close();
    return openSqliteStore((store as SqliteStore).path);
  },
  openSecond: (store) => openSqliteStore((store as SqliteStore).path),
});

describe("SqliteStore", () => {
  const { open, adopt } = sqliteStoresClosedAfterEach();

  it("refuses a file that is not SQLite, naming it, and leaves its bytes unchanged", async () => {
    const file = path();
    writeFileSync(file, "these are someone's notes, not a database\n".repeat(200));
    await expectRefusedUntouched(file, () => openSqliteStore(file), /cannot be read as a SQLite database.*not a database/);
  });

  it("refuses a database with another application's tables, untouched", async () => {
    const file = path();
    await foreignDatabase(file);
    await expectRefusedUntouched(file, () => openSqliteStore(file), /tables of another application \(users\)/);
  });

  it("refuses a database with a newer schema version, untouched", async () => {
    const file = path();
    await newerSchemaDatabase(file, () => openSqliteStore(file));
    await expectRefusedUntouched(file, () => openSqliteStore(file), new RegExp(`schema version 99, newer than version ${schemaVersion}`));
  });

  it("creates the file and its directories, in WAL mode with synchronous FULL", async () => {
    const file = join(dir, "nested", "deeper", "flux.db");
    const store = await open(file);
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    db.close();
  });

  it("migrates a version-1 database to the current version, keeping its data", async () => {
    const file = path();
    const v1 = new Database(file);
    for (const sql of migrations[0]?.statements ?? []) v1.exec(sql);
    v1.prepare("INSERT INTO flux_executions VALUES ('old', 'w', 'running', 1, 5, 6)").run();
    v1.prepare("INSERT INTO flux_events VALUES ('old', 0, 'WORKFLOW_STARTED', 'old', 'w', 'null', 5)").run();
    v1.close();
    const store = await open(file);
    // Running and never leased: due from its last event.
    expect(await store.get("old")).toEqual({ executionId: "old", workflow: "w", state: "running", events: 1, createdAt: 5, updatedAt: 6, wakeAt: 6 });
    expect(await store.lease("old", "me", { now: 10, expiresAt: 20 })).toEqual({ owner: "me", expiresAt: 20 });
    await store.commit("old", tasks(1, 1), { expectedSeq: 1 });
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    expect(tableNames(db)).toEqual(currentTables);
    db.close();
  });

  it("migrates a version-2 database (leases in flux_leases, wake times in pause events): leases carried over, due() exact", async () => {
    const file = path();
    const v2 = new Database(file);
    for (const { sql, params } of legacyV2Statements()) v2.prepare(sql).run(...params);
    v2.close();
    const store = await open(file);
    await expectLegacyMigrated(store);
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
    await expectV3Migrated(await open(file));
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    expect(tableNames(db)).toEqual(currentTables);
    db.close();
  });

  it("applies each migration once when two openers race on a new database: a lagging one neither fails nor brings flux_leases back", async () => {
    const file = path();
    // The lagging opener reads the (empty) schema, then waits at its first write until the
    // other one has migrated the file to the current version.
    const lagging = new BetterSqliteDriver(new Database(file), "lagging");
    let atGate!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (atGate = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batches: string[][] = [];
    const driver: SqlDriver = {
      description: lagging.description,
      all: (statement) => lagging.all(statement),
      batch: async (statements) => {
        atGate();
        await gate;
        batches.push(statements.map((statement) => statement.sql));
        return lagging.batch(statements);
      },
      close: () => lagging.close(),
    };
    const slow = new SqlStore(driver).ready();
    await arrived;
    const fast = await open(file);
    await fast.commit("e", started("w", T0), { expectedSeq: 0 });
    release();
    const second = await slow;
    adopt(second);
    expect(batches.length).toBe(migrations.length);
    await second.commit("e", tasks(1, 1), { expectedSeq: 1 });
    expect((await fast.get("e"))?.events).toBe(2);
    const db = new Database(file, { readonly: true });
    expect(tableNames(db)).toEqual(currentTables);
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    db.close();
  });

  it("refuses a version-3 schema with a table missing, untouched", async () => {
    const file = path();
    const db = new Database(file);
    for (const { sql, params } of legacyV2Statements()) db.prepare(sql).run(...params);
    db.exec("UPDATE flux_meta SET schema_version = 3; DROP TABLE flux_cache; DROP TABLE flux_leases");
    db.close();
    await expectRefusedUntouched(file, () => openSqliteStore(file), /damaged flux-ts schema \(missing flux_cache\)/);
  });

  it("keeps summaries, inboxes, due lists and conflicts equal to the reference store over random commits with leases, suspensions, subworkflows, events and cancellations", async () => {
    const runs = [];
    for (const seed of [1, 2, 3]) runs.push(await expectSameAsReference(await open(path()), seed));
    expectEveryKind(runs);
  });

  it("refuses a version-2 schema with a table missing, untouched", async () => {
    const file = path();
    const db = new Database(file);
    for (const sql of migrations[0]?.statements ?? []) db.exec(sql);
    db.exec("UPDATE flux_meta SET schema_version = 2");
    db.close();
    await expectRefusedUntouched(file, () => openSqliteStore(file), /damaged flux-ts schema \(missing flux_leases\)/);
  });

  it("defaults to .flux/flux.db under the working directory", () => {
    expect(defaultSqlitePath()).toBe(join(process.cwd(), ".flux", "flux.db"));
  });

  it("keeps summaries equal to the reference fold over many random commits", async () => {
    const store = await open(path());
    const { expectedSummary, ev } = await import("./conformance/case-context.js");
    const { ExecutionEventType } = await import("../src/events.js");
    const types = Object.values(ExecutionEventType);
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const logs = new Map<string, ReturnType<typeof ev>[][]>();
    for (let i = 0; i < 200; i += 1) {
      const id = `e${random(8)}`;
      const commits = logs.get(id) ?? [];
      const length = commits.flat().length;
      const events = Array.from({ length: 1 + random(4) }, (_, k) =>
        ev(length + k, types[random(types.length)] ?? "TASK_STARTED", { name: `n${random(3)}`, time: T0 + i * 10 + k }));
      await store.commit(id, events, { expectedSeq: length });
      logs.set(id, [...commits, events]);
    }
    for (const [id, commits] of logs) expect(await store.get(id)).toEqual(expectedSummary(id, commits));
  });

  it("rejects events whose ids do not continue the log, writing nothing", async () => {
    const store = await open(path());
    await expect(store.commit("e", tasks(1, 2), { expectedSeq: 0 })).rejects.toBeInstanceOf(UsageError);
    await expect(store.commit("e", tasks(0, 1), { expectedSeq: -1 })).rejects.toBeInstanceOf(UsageError);
    expect(await store.load("e")).toEqual([]);
  });

  it("names the file when it is closed", async () => {
    const file = path();
    const store = await openSqliteStore(file);
    await store.close();
    await expect(store.load("e")).rejects.toThrow(new RegExp(`${file.replace(/[.\\/]/g, "\\$&")}.*closed`));
    await expect(store.load("e")).rejects.toBeInstanceOf(StoreError);
  });

  it("a commit through one handle is seen at once by another handle on the file", async () => {
    const file = path();
    const a = await open(file);
    const b = await open(file);
    await a.commit("e", started("w", T0), { expectedSeq: 0 });
    expect((await b.load("e")).length).toBe(1);
    expect(readFileSync(file).subarray(0, 15).toString()).toBe("SQLite format 3");
  });
});
