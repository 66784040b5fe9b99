import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openPostgresStore, PostgresStore, pgSchemaVersion } from "../adapters/postgres/index.js";
import { ConflictError, StoreError, UsageError } from "../src/errors.js";
import type { StateStore } from "../src/state-store.js";
import { started, T0, tasks } from "./conformance/case-context.js";
import { conformanceCases } from "./store-conformance.js";
import { expectEveryKind, expectSameAsReference } from "./support/random-commits.js";
import { usePostgres } from "./support/use-postgres.js";
import { testStateStore } from "./store-conformance.js";

// The PostgreSQL store on a real PostgreSQL: a throwaway cluster of Debian's postgresql for this
// file. Each store gets a PostgreSQL schema of its own in one database, so a case starts empty.
const postgres = usePostgres();
let schemas = 0;
const fresh = () => `t${process.pid}_${++schemas}`;
const skipAll = postgres.unavailable === undefined ? [] : [{ reason: postgres.unavailable, tests: conformanceCases }];

testStateStore({
  name: "PostgreSQL (pg)",
  create: () => openPostgresStore({ url: postgres.cluster().url(), schema: fresh(), poolSize: 4 }),
  reopen: async (store) => {
    await store.close();
    return openPostgresStore({ url: postgres.cluster().url(), schema: (store as PostgresStore).schema, poolSize: 4 });
  },
  openSecond: (store) => openPostgresStore({ url: postgres.cluster().url(), schema: (store as PostgresStore).schema, poolSize: 4 }),
  skip: skipAll,
});

describe.skipIf(postgres.unavailable !== undefined)(`PostgresStore${postgres.unavailable === undefined ? "" : ` (skipped: ${postgres.unavailable})`}`, () => {
  const opened: StateStore[] = [];
  const admin = () => new pg.Client({ connectionString: postgres.cluster().url() });
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((store) => store.close()));
  });
  const open = async (schema = fresh(), url = postgres.cluster().url()) => {
    const store = await openPostgresStore({ url, schema, poolSize: 4 });
    opened.push(store);
    return store;
  };

  it("keeps summaries, inboxes, due lists and conflicts equal to the reference store over random commits with leases, suspensions, subworkflows, events and cancellations", async () => {
    const runs = [];
    for (const seed of [1, 2, 3]) runs.push(await expectSameAsReference(await open(), seed));
    expectEveryKind(runs);
  });

  it("creates its tables in a schema of its own, at the current version", async () => {
    const schema = fresh();
    await open(schema);
    const client = admin();
    await client.connect();
    try {
      const { rows } = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [schema]);
      expect(rows.map((row) => row.table_name)).toEqual(["cache", "events", "executions", "inbox", "meta"]);
      expect((await client.query(`SELECT schema_version FROM ${schema}.meta`)).rows).toEqual([{ schema_version: pgSchemaVersion }]);
    } finally {
      await client.end();
    }
  });

  it("takes the schema from ?schema= in the URL", async () => {
    const schema = fresh();
    const store = await openPostgresStore(`${postgres.cluster().url()}?schema=${schema}`);
    opened.push(store);
    expect(store.schema).toBe(schema);
    expect(store.description).not.toContain("schema=");
  });

  it("refuses a newer schema version with a clear error, and writes nothing", async () => {
    const schema = fresh();
    const first = await open(schema);
    await first.commit("e", started("w", T0), { expectedSeq: 0 });
    const client = admin();
    await client.connect();
    try {
      await client.query(`UPDATE ${schema}.meta SET schema_version = 99`);
      await expect(openPostgresStore({ url: postgres.cluster().url(), schema })).rejects.toThrow(
        new RegExp(`schema version 99, newer than version ${pgSchemaVersion} that this flux-ts knows: upgrade flux-ts`),
      );
      expect((await client.query(`SELECT schema_version FROM ${schema}.meta`)).rows).toEqual([{ schema_version: 99 }]);
      expect((await client.query(`SELECT count(*)::int AS n FROM ${schema}.events`)).rows).toEqual([{ n: 1 }]);
    } finally {
      await client.end();
    }
  });

  it("refuses a schema that holds another application's tables, untouched", async () => {
    const schema = fresh();
    const client = admin();
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.users (id int)`);
      await expect(openPostgresStore({ url: postgres.cluster().url(), schema })).rejects.toThrow(/tables that are not flux-ts's in its schema .* \(users\)/);
      const { rows } = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema]);
      expect(rows).toEqual([{ table_name: "users" }]);
    } finally {
      await client.end();
    }
  });

  it("applies the migration once when several openers race on a new schema", async () => {
    const schema = fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
    await stores[0]!.commit("e", started("w", T0), { expectedSeq: 0 });
    for (const store of stores) expect((await store.get("e"))?.events).toBe(1);
  });

  it("refuses a bad URL or schema name with a UsageError naming it, and hides the password", () => {
    expect(() => new PostgresStore("mysql://x@y/z")).toThrow(UsageError);
    expect(() => new PostgresStore({ url: postgres.cluster().url(), schema: "Robert'); DROP" })).toThrow(/invalid PostgreSQL schema name/);
    expect(new PostgresStore("postgres://flux:s3cret@db.example:5432/flux").description).toBe("PostgreSQL postgres://flux:***@db.example:5432/flux, schema flux");
  });

  it("names the server when it cannot connect", async () => {
    const store = new PostgresStore({ url: "postgresql://postgres@127.0.0.1:1/none", poolSize: 1 });
    opened.push(store);
    await expect(store.get("e")).rejects.toThrow(/connecting to PostgreSQL postgresql:\/\/postgres@127.0.0.1:1\/none, schema flux failed/);
  });

  it("fails a commit whose connection is lost with a StoreError, writes nothing of it, and serves the next call on a new connection", async () => {
    const schema = fresh();
    const store = await open(schema);
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    const client = admin();
    await client.connect();
    try {
      // Hold the execution's row, so that the store's commit waits on its lock; then end the
      // store's connection while it waits.
      await client.query("BEGIN");
      await client.query(`SELECT id FROM ${schema}.executions WHERE id = 'e' FOR UPDATE`);
      const commit = store.commit("e", tasks(1, 1), { expectedSeq: 1 });
      let pid: number | undefined;
      while (pid === undefined) {
        const { rows } = await client.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'flux-ts' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
        pid = rows[0]?.pid as number | undefined;
        if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await client.query("SELECT pg_terminate_backend($1)", [pid]);
      await expect(commit).rejects.toBeInstanceOf(StoreError);
      await client.query("ROLLBACK");
    } finally {
      await client.end();
    }
    expect((await store.get("e"))?.events).toBe(1);
    expect(await store.load("e")).toHaveLength(1);
    await store.commit("e", tasks(1, 1), { expectedSeq: 1 });
    expect((await store.get("e"))?.events).toBe(2);
  });

  it("lets exactly one of many concurrent first commits of one execution land, through many handles", async () => {
    const schema = fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
    const results = await Promise.allSettled(stores.flatMap((store) => [0, 1].map(() => store.commit("e", started("w", T0), { expectedSeq: 0 }))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
    expect(await stores[0]!.load("e")).toHaveLength(1);
  });

  it("gives a free lease to exactly one of many concurrent takers on many handles", async () => {
    const schema = fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
    for (let round = 0; round < 10; round += 1) {
      const id = `e${round}`;
      await stores[0]!.commit(id, started("w", T0), { expectedSeq: 0 });
      const leases = await Promise.all(stores.flatMap((store, i) => [0, 1].map((j) => store.lease(id, `r${i}.${j}`, { now: T0, expiresAt: T0 + 1000 }))));
      const owners = new Set(leases.map((lease) => lease.owner));
      expect(owners.size).toBe(1);
    }
  });

  it("notifies a subscriber on another handle when an event makes an execution due", async () => {
    const schema = fresh();
    const [a, b] = [await open(schema), await open(schema)] as PostgresStore[];
    await a!.commit("e", started("w", T0), { expectedSeq: 0 });
    await a!.commit("e", [{ id: 1, type: "WORKFLOW_PAUSED", sourceId: "e", name: "w", value: "null", time: T0 + 1 }], {
      expectedSeq: 1, suspend: { waits: [{ kind: "event", stepId: "1", name: "go" }] },
    });
    const heard: (readonly string[] | undefined)[] = [];
    let arrived!: () => void;
    const notified = new Promise<void>((resolve) => (arrived = resolve));
    const unsubscribe = b!.subscribe((ids) => {
      heard.push(ids);
      arrived();
    });
    // The LISTEN runs on its own connection: wait until it is there before sending.
    const client = admin();
    await client.connect();
    try {
      while ((await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'flux-ts' AND query LIKE 'LISTEN%'")).rows.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await client.end();
    }
    await a!.deliver("e", { name: "go", payload: "1", time: T0 + 2 });
    await notified;
    unsubscribe();
    expect(heard).toEqual([["e"]]);
  });
});
