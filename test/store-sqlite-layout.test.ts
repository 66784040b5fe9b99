// The SQLite layout of schema version 5: the migration from version 4 keeps every row, and a
// step commit writes about two pages (one leaf of events, one of summaries), counted in the WAL.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { BetterSqliteDriver } from "../adapters/sqlite/index.js";
import { schemaVersion } from "../adapters/sql/sql-schema.js";
import { SqlStore } from "../adapters/sql/sql-store.js";
import { StoreError, UsageError } from "../src/errors.js";
import { started, T0, tasks } from "./conformance/case-context.js";
import { expectV4Migrated, legacyV4Statements, v4Logs } from "./support/legacy-v4.js";
import { sqliteStoresClosedAfterEach } from "./support/opened-stores.js";
import { seededRandom } from "./support/seeded-random.js";
import { currentTables, tableNames } from "./support/sql-files.js";
import { tempDir } from "./support/temp-dir.js";

const dir = tempDir("sqlite-layout");
let counter = 0;
const path = () => join(dir, `store-${++counter}.db`);

function writeV4(file: string, extra: string[] = []): void {
  const v4 = new Database(file);
  for (const { sql, params } of legacyV4Statements()) v4.prepare(sql).run(...params);
  for (const sql of extra) v4.exec(sql);
  v4.close();
}

describe("SQLite layout (schema version 5)", () => {
  const { open, adopt } = sqliteStoresClosedAfterEach();

  it("migrates a version-4 database with executions in every state, inboxes, leases and cache: everything reads back as it was, and goes on", async () => {
    const file = path();
    writeV4(file);
    await expectV4Migrated(await open(file));
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: schemaVersion });
    expect(tableNames(db)).toEqual(currentTables);
    // Numbered in order of creation (ties by id); the new execution after them all.
    expect(db.prepare("SELECT id FROM flux_executions ORDER BY num").all().map((row) => (row as { id: string }).id))
      .toEqual(["m-running", "a-created", "z-paused", "b-child", "q-failed", "c-cancelled", "n-nap", "new"]);
    expect(db.prepare("SELECT count(*) AS n FROM flux_events").get()).toEqual({ n: Object.values(v4Logs).flat().length + 2 + 3 });
    db.close();
  });

  it("refuses to migrate a version-4 database holding an event of no execution, and applies nothing of the migration", async () => {
    const file = path();
    writeV4(file, ["INSERT INTO flux_events (execution_id, seq, type, source_id, name, value, time) VALUES ('orphan', 0, 'WORKFLOW_STARTED', 'orphan', 'w', 'null', 1)"]);
    const error = await open(file).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toMatch(/migrating the SQLite database .* to flux-ts schema version 5 failed \(CHECK constraint failed: flux_event_of_execution\); nothing of it was applied/);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT schema_version FROM flux_meta").get()).toEqual({ schema_version: 4 });
    expect(db.prepare("SELECT count(*) AS n FROM flux_events").get()).toEqual({ n: Object.values(v4Logs).flat().length + 1 });
    expect(db.prepare("SELECT name FROM pragma_table_info('flux_events') WHERE name = 'execution_id'").all()).toHaveLength(1);
    db.close();
  });

  it("refuses a commit that would take a log past 2^32 events, writing nothing", async () => {
    const store = await open(path());
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    const far = 4294967296 - 1;
    await expect(store.commit("e", tasks(far, 2), { expectedSeq: far })).rejects.toThrow(/would take its log past 4294967296 events/);
    await expect(store.commit("e", tasks(far, 2), { expectedSeq: far })).rejects.toBeInstanceOf(UsageError);
    expect(await store.load("e")).toEqual(started("w", T0));
  });

  it("writes at most 2.2 WAL pages per step commit to an execution among others (version 4 wrote 3.6 here)", async () => {
    // Pages written are deterministic for a given sequence of writes: the WAL's frame count with
    // the auto-checkpoint off, after a checkpoint that empties it. Executions with ids in random
    // order, so that a new one's rows do not simply land at the end of every B-tree.
    const file = path();
    const db = new Database(file);
    db.pragma("wal_autocheckpoint = 0");
    const store = await new SqlStore(new BetterSqliteDriver(db, file)).ready();
    adopt(store);
    const random = seededRandom(5);
    const id = () => `exec-${Math.floor(random() * 1e9).toString(36)}`;
    const claim = { owner: "runner", now: T0 };
    for (let n = 0; n < 20; n += 1) {
      const other = id();
      await store.commit(other, started("w", T0), { expectedSeq: 0 });
      for (let seq = 1; seq < 21; seq += 2) await store.commit(other, tasks(seq, 2), { expectedSeq: seq, lease: claim });
    }
    const measured = id();
    await store.commit(measured, started("w", T0), { expectedSeq: 0 });
    db.pragma("wal_checkpoint(TRUNCATE)");
    const steps = 300;
    for (let seq = 1; seq < 1 + 2 * steps; seq += 2) await store.commit(measured, tasks(seq, 2), { expectedSeq: seq, lease: claim });
    const [{ log }] = db.pragma("wal_checkpoint(PASSIVE)") as [{ log: number }];
    expect(log / steps).toBeGreaterThanOrEqual(2);
    expect(log / steps).toBeLessThanOrEqual(2.2);
    expect((await store.load(measured)).length).toBe(1 + 2 * steps);
  });
});
