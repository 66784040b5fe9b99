import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { D1Store } from "../adapters/d1/index.js";
import type { D1DatabaseLike } from "../adapters/d1/index.js";
import { migrations, schemaVersion } from "../adapters/sql/sql-schema.js";
import { ConflictError, StoreError } from "../src/errors.js";
import type { StateStore } from "../src/state-store.js";
import { ExecutionEventType as T } from "../src/events.js";
import { ev, started, T0 } from "./conformance/case-context.js";
import { expectLegacyMigrated, legacyV2Statements } from "./support/legacy-v2.js";
import { expectV3Migrated, legacyV3Statements } from "./support/legacy-v3.js";
import { expectV4Migrated, legacyV4Statements } from "./support/legacy-v4.js";
import { expectEveryKind, expectSameAsReference } from "./support/random-commits.js";
import { bridgedD1 } from "./support/d1-bridge.js";
import { currentTables } from "./support/sql-files.js";
import { tempDir } from "./support/temp-dir.js";
import { testStateStore } from "./store-conformance.js";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.WRANGLER_HIDE_BANNER = "true";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const root = fileURLToPath(new URL("..", import.meta.url));
const compatibilityDate = "2026-04-01"; // <= what workerd 1.20260426 supports
/** Every table any schema version had (flux_leases: version 2), dropped before each case. */
const tables = ["flux_events", "flux_executions", "flux_cache", "flux_leases", "flux_inbox", "flux_meta"];
const dropAll = () => db.batch(tables.map((table) => db.prepare(`DROP TABLE IF EXISTS ${table}`)));
let mf: Miniflare;
let db: D1DatabaseLike;

beforeAll(async () => {
  ({ mf, db } = await bridgedD1({ id: "flux-d1-test", compatibilityDate }));
});
afterAll(() => mf?.dispose());

testStateStore({
  name: "D1 (Miniflare)",
  // One local D1 for the file: each case starts by dropping the flux tables, so it meets a new database.
  create: async () => {
    await dropAll();
    return new D1Store(db).ready();
  },
  reopen: async (store) => {
    await store.close();
    return new D1Store(db).ready();
  },
  openSecond: async () => new D1Store(db).ready(),
});

describe("D1Store", () => {
  it("runs inside workerd on the Worker's own binding: one racer wins, values intact", async () => {
    const output = await build({
      configFile: false, logLevel: "silent", root,
      build: { write: false, minify: false, target: "es2022", lib: { entry: join(root, "test/fixtures/d1-worker.ts"), formats: ["es"], fileName: "worker" } },
    });
    const chunk = (Array.isArray(output) ? output : [output]).flatMap((o) => ("output" in o ? o.output : []))[0];
    if (chunk === undefined || chunk.type !== "chunk") throw new Error("vite produced no worker bundle");
    expect(chunk.code).not.toMatch(/from\s+["']node:/);
    const worker = new Miniflare({ modules: true, script: chunk.code, d1Databases: { DB: "flux-d1-worker" }, compatibilityDate });
    try {
      const response = await worker.dispatchFetch("http://localhost/?id=in-worker");
      const body = (await response.json()) as { outcomes: string[]; values: string[]; summary: { events: number } };
      expect(body.outcomes.filter((o) => o === "won").length).toBe(1);
      expect(body.outcomes.filter((o) => o === "ConflictError").length).toBe(2);
      expect(body.values.slice(0, 2)).toEqual(['{"at":{"$flux":"date","v":"1970-01-01T00:00:00.000Z"}}', '"second"']);
      expect(body.values[2]).toMatch(/^"racer \d"$/);
      expect(body.summary.events).toBe(3);
    } finally {
      await worker.dispose();
    }
  });

  it("accepts a database migrated by `wrangler d1 migrations apply --local` and writes no schema again", async () => {
    const dir = tempDir("d1-wrangler");
    const id = "00000000-0000-4000-8000-000000000001";
    const config = join(dir, "wrangler.toml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(config, [
      `name = "flux-d1-test"`, `compatibility_date = "${compatibilityDate}"`, `[[d1_databases]]`, `binding = "DB"`,
      `database_name = "flux"`, `database_id = "${id}"`, `migrations_dir = ${JSON.stringify(join(root, "adapters/d1/migrations"))}`,
    ].join("\n"));
    const wrangler = join(root, "node_modules/.bin/wrangler");
    const { stdout } = await promisify(execFile)(wrangler, ["d1", "migrations", "apply", "flux", "--local", "--persist-to", join(dir, "state"), "--config", config], { cwd: dir, timeout: 30_000 });
    expect(stdout).toMatch(/0001_init\.sql.*✅.*0002_leases\.sql.*✅.*0003_waits_wakes_leases\.sql.*✅.*0004_inbox_cancel\.sql.*✅.*0005_event_positions\.sql.*✅/s);
    const local = new Miniflare({ modules: true, script: "export default { fetch: () => new Response('') }", d1Databases: { DB: id }, d1Persist: join(dir, "state/v3/d1"), compatibilityDate });
    try {
      const binding = await local.getD1Database("DB");
      const { results } = await binding.prepare("SELECT name FROM d1_migrations").all<{ name: string }>();
      expect(results.map((r: { name: string }) => r.name)).toEqual(["0001_init.sql", "0002_leases.sql", "0003_waits_wakes_leases.sql", "0004_inbox_cancel.sql", "0005_event_positions.sql", "0006_queues.sql"]);
      let batches = 0;
      const counting: D1DatabaseLike = { prepare: (sql) => binding.prepare(sql), batch: (statements) => (batches += 1, binding.batch(statements as never)) };
      const store = await new D1Store(counting).ready();
      expect(batches).toBe(0);
      await store.commit("e", started("w", T0), { expectedSeq: 0 });
      expect(batches).toBe(1);
      expect((await store.get("e"))?.events).toBe(1);
    } finally {
      await local.dispose();
    }
  });

  it("keeps adapters/d1/migrations/000N_*.sql equal to the schema's migrations", () => {
    const dir = join(root, "adapters/d1/migrations");
    const files = readdirSync(dir).sort();
    expect(files.map((file) => Number(file.slice(0, 4)))).toEqual(migrations.map((m) => m.version));
    files.forEach((file, i) => {
      const text = readFileSync(join(dir, file), "utf8");
      const statements = text.split("\n").filter((line) => !line.startsWith("--")).join("\n")
        .split(";").map((s) => s.trim()).filter((s) => s !== "");
      expect(statements, file).toEqual(migrations[i]?.statements);
    });
  });

  it("refuses a database with other tables unless allowOtherTables, and a newer schema, untouched", async () => {
    await db.batch([...tables.map((table) => db.prepare(`DROP TABLE IF EXISTS ${table}`)), db.prepare("CREATE TABLE app_users (id TEXT)")]);
    const error = await new D1Store(db, { binding: "APP_DB" }).ready().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toMatch(/the D1 database bound as APP_DB is not a flux-ts database.*app_users.*allowOtherTables/);
    const names = async () => (await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' ORDER BY name").all<{ name: string }>()).results.map((r) => r.name);
    expect(await names()).toEqual(["app_users"]);
    const shared: StateStore = await new D1Store(db, { allowOtherTables: true }).ready();
    await shared.commit("e", started("w", T0), { expectedSeq: 0 });
    expect(await names()).toEqual(["app_users", ...currentTables]);
    const newer = schemaVersion + 1;
    await db.batch([db.prepare(`UPDATE flux_meta SET schema_version = ${newer}`), db.prepare("DROP TABLE app_users")]);
    await expect(new D1Store(db).ready()).rejects.toThrow(new RegExp(`schema version ${newer}, newer than version ${schemaVersion}`));
    expect((await db.prepare("SELECT schema_version FROM flux_meta").all<{ schema_version: number }>()).results).toEqual([{ schema_version: newer }]);
  });

  it("migrates a version-2 database (leases in flux_leases, wake times in pause events): leases carried over, due() exact", async () => {
    await dropAll();
    await db.batch(legacyV2Statements().map(({ sql, params }) => db.prepare(sql).bind(...params)));
    await expectLegacyMigrated(await new D1Store(db).ready());
    const names = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'flux_%' ORDER BY name").all<{ name: string }>();
    expect(names.results.map((r) => r.name)).toEqual(currentTables);
    expect((await db.prepare("SELECT schema_version FROM flux_meta").all()).results).toEqual([{ schema_version: schemaVersion }]);
  });

  it("migrates a version-3 database (no inbox, no cancellation) to the current version, keeping its data; inboxes and cancellations then work", async () => {
    await dropAll();
    await db.batch(legacyV3Statements().map(({ sql, params }) => db.prepare(sql).bind(...params)));
    await expectV3Migrated(await new D1Store(db).ready());
    const names = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'flux_%' ORDER BY name").all<{ name: string }>();
    expect(names.results.map((r) => r.name)).toEqual(currentTables);
    expect((await db.prepare("SELECT schema_version FROM flux_meta").all()).results).toEqual([{ schema_version: schemaVersion }]);
  });

  it("migrates a version-4 database with executions in every state, inboxes, leases and cache: everything reads back as it was, and goes on", async () => {
    await dropAll();
    await db.batch(legacyV4Statements().map(({ sql, params }) => db.prepare(sql).bind(...params)));
    await expectV4Migrated(await new D1Store(db).ready());
    const names = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'flux_%' ORDER BY name").all<{ name: string }>();
    expect(names.results.map((r) => r.name)).toEqual(currentTables);
    expect((await db.prepare("SELECT schema_version FROM flux_meta").all()).results).toEqual([{ schema_version: schemaVersion }]);
  });

  it("binds at most 100 parameters: a commit consuming 150 inbox events, a suspension waiting on 150 event names", async () => {
    await dropAll();
    const store = await new D1Store(db).ready();
    await store.commit("e", started("wf", T0), { expectedSeq: 0 });
    for (let i = 0; i < 151; i += 1) await store.deliver("e", { name: `n${i}`, payload: String(i), time: T0 + i });
    const seqs = Array.from({ length: 150 }, (_, i) => i + 1);
    await expect(store.commit("e", [ev(1, T.EVENT_RECEIVED, { time: T0 + 200 })], { expectedSeq: 1, consumes: [...seqs, 999] })).rejects.toBeInstanceOf(ConflictError);
    await store.commit("e", [ev(1, T.EVENT_RECEIVED, { time: T0 + 200 })], { expectedSeq: 1, consumes: seqs });
    expect(await store.pending("e")).toEqual([{ seq: 151, name: "n150", payload: "150", time: T0 + 150 }]);
    const waits = Array.from({ length: 150 }, (_, i) => ({ kind: "event" as const, stepId: String(i), name: `m${i}` }));
    await store.commit("e", [ev(2, T.WORKFLOW_PAUSED, { time: T0 + 300 })], { expectedSeq: 2, suspend: { waits: [...waits, { kind: "event", stepId: "x", name: "n150" }] } });
    expect(await store.get("e")).toMatchObject({ state: "paused", wakeAt: T0 + 300 });
  });

  it("binds at most 100 parameters: a suspension on 150 children, due() for 150 workflows", async () => {
    await dropAll();
    // D1 itself refuses more (this is what the chunking and the JSON parameter are for).
    await expect(db.prepare(`SELECT ${Array.from({ length: 101 }, () => "?").join(", ")}`).bind(...Array.from({ length: 101 }, (_, i) => i)).all()).rejects.toThrow(/too many SQL variables/);
    const store = await new D1Store(db).ready();
    const children = Array.from({ length: 150 }, (_, i) => `child-${i}`);
    await store.commit("p", started("wf", T0), { expectedSeq: 0 });
    await store.commit("child-140", [...started("sub", T0), ev(1, T.WORKFLOW_COMPLETED, { name: "sub", time: T0 + 1 })], { expectedSeq: 0, parentId: "p" });
    await store.commit("p", [ev(1, T.WORKFLOW_PAUSED, { time: T0 + 5 })], {
      expectedSeq: 1,
      suspend: { waits: children.map((executionId, i) => ({ kind: "child", stepId: String(i), executionId, workflow: "sub" })) },
    });
    expect(await store.get("p")).toMatchObject({ state: "paused", wakeAt: T0 + 5 });
    const workflows = Array.from({ length: 150 }, (_, i) => `other-${i}`);
    expect((await store.due({ until: T0 + 10, workflows: [...workflows, "wf"] })).map((s) => s.executionId)).toEqual(["p"]);
    expect(await store.due({ until: T0 + 10, workflows })).toEqual([]);
  });

  it("keeps summaries, inboxes, due lists and conflicts equal to the reference store over random commits", async () => {
    const runs = [];
    for (const seed of [35, 37]) {
      await dropAll();
      runs.push(await expectSameAsReference(await new D1Store(db).ready(), seed, 80));
    }
    expectEveryKind(runs);
  });
});
