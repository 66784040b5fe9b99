import { expect } from "vitest";
import { migrations } from "../../adapters/sql/sql-schema.js";
import { ConflictError } from "../../src/errors.js";
import { ExecutionEventType as T } from "../../src/events.js";
import type { ExecutionSummary, StateStore, StoredEvent } from "../../src/state-store.js";
import { ev, T0 } from "../conformance/case-context.js";

const at = (id: string, seq: number, type: T, time: number, value: unknown = null): StoredEvent =>
  ev(seq, type, { name: "w", time, value, sourceId: id });

/**
 * Executions as flux-ts before schema version 3 (SQL) / IndexedDB version 3 recorded them: no
 * waits, parent, wake time or lease in the summary; leases in their own table; a sleeping
 * execution's wake time only in its last WORKFLOW_PAUSED event (`{"pauses":[...],"wakeAt":N}`).
 */
export const legacyLogs: Readonly<Record<string, readonly StoredEvent[]>> = {
  // Running, leased by runner-A: the lease moves into the summary, and is its wake time.
  run: [at("run", 0, T.WORKFLOW_STARTED, T0), at("run", 1, T.TASK_STARTED, T0 + 10)],
  // Running, never leased: due from its last event.
  idle: [at("idle", 0, T.WORKFLOW_STARTED, T0 + 1), at("idle", 1, T.TASK_COMPLETED, T0 + 20)],
  // Slept twice: the LAST pause's timer counts.
  nap: [
    at("nap", 0, T.WORKFLOW_STARTED, T0 + 2),
    at("nap", 1, T.WORKFLOW_PAUSED, T0 + 3, { pauses: ["first"], wakeAt: T0 + 999 }),
    at("nap", 2, T.WORKFLOW_RESUMED, T0 + 30),
    at("nap", 3, T.WORKFLOW_PAUSED, T0 + 31, { pauses: ["nap"], wakeAt: T0 + 300 }),
  ],
  // Waits for a human: no wake time; its stale lease row is not carried over.
  ask: [at("ask", 0, T.WORKFLOW_STARTED, T0 + 4), at("ask", 1, T.WORKFLOW_PAUSED, T0 + 5, { pauses: ["approval"] })],
  // Finished: nothing to wake, no lease (its stale lease row is dropped).
  done: [at("done", 0, T.WORKFLOW_STARTED, T0 + 6), at("done", 1, T.WORKFLOW_COMPLETED, T0 + 7, "ok")],
  // A pause whose value is not JSON (hand-edited, say) does not fail the migration: no wake time.
  odd: [at("odd", 0, T.WORKFLOW_STARTED, T0 + 8), { ...at("odd", 1, T.WORKFLOW_PAUSED, T0 + 9), value: "{not json" }],
};

/** The summary rows of {@link legacyLogs}, as the old code kept them. */
export const legacySummaries: readonly { id: string; state: string; events: number; createdAt: number; updatedAt: number }[] =
  Object.entries(legacyLogs).map(([id, log]) => ({
    id,
    state: ({ run: "running", idle: "running", nap: "paused", ask: "paused", done: "succeeded", odd: "paused" } as Record<string, string>)[id]!,
    events: log.length,
    createdAt: log[0]!.time,
    updatedAt: log[log.length - 1]!.time,
  }));

/** The lease rows of the old schema: one live, two stale (on a paused and a finished execution). */
export const legacyLeases: readonly { id: string; owner: string; expiresAt: number }[] = [
  { id: "run", owner: "runner-A", expiresAt: T0 + 5000 },
  { id: "ask", owner: "runner-A", expiresAt: T0 + 9000 },
  { id: "done", owner: "runner-B", expiresAt: T0 + 9000 },
];

/** The statements that write a schema-version-2 SQL database holding the legacy executions and a cache entry. */
export function legacyV2Statements(): { sql: string; params: (string | number)[] }[] {
  const schema = migrations.filter((m) => m.version <= 2).flatMap((m) => m.statements.map((sql) => ({ sql, params: [] })));
  return [
    ...schema,
    { sql: "UPDATE flux_meta SET schema_version = 2", params: [] },
    ...legacySummaries.map((s) => ({
      sql: "INSERT INTO flux_executions (id, workflow, state, events, created_at, updated_at) VALUES (?, 'w', ?, ?, ?, ?)",
      params: [s.id, s.state, s.events, s.createdAt, s.updatedAt],
    })),
    ...Object.entries(legacyLogs).flatMap(([id, log]) => log.map((e) => ({
      sql: "INSERT INTO flux_events (execution_id, seq, type, source_id, name, value, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: [id, e.id, e.type, e.sourceId, e.name, e.value, e.time],
    }))),
    ...legacyLeases.map((l) => ({ sql: "INSERT INTO flux_leases (execution_id, owner, expires_at) VALUES (?, ?, ?)", params: [l.id, l.owner, l.expiresAt] })),
    { sql: "INSERT INTO flux_cache (key, value) VALUES ('k', '\"kept\"')", params: [] },
  ];
}

const base = (id: string) => {
  const row = legacySummaries.find((s) => s.id === id)!;
  return { executionId: id, workflow: "w", state: row.state, events: row.events, createdAt: row.createdAt, updatedAt: row.updatedAt } as ExecutionSummary;
};

/** What a store opened on the legacy database must return for each execution. */
export const migratedSummaries: Readonly<Record<string, ExecutionSummary>> = {
  run: { ...base("run"), wakeAt: T0 + 5000, lease: { owner: "runner-A", expiresAt: T0 + 5000 } },
  idle: { ...base("idle"), wakeAt: T0 + 20 },
  nap: { ...base("nap"), wakeAt: T0 + 300 },
  ask: base("ask"),
  done: base("done"),
  odd: base("odd"),
};

/**
 * Checks a store opened on the legacy data: logs, summaries and cache intact, the live lease
 * carried over (and enforced), the stale ones gone, and `due` returning exactly the executions
 * whose wake time came.
 */
export async function expectLegacyMigrated(store: StateStore): Promise<void> {
  for (const [id, log] of Object.entries(legacyLogs)) {
    expect(await store.load(id), id).toEqual(log);
    expect(await store.get(id), id).toEqual(migratedSummaries[id]);
  }
  expect(await store.getCached("k")).toBe('"kept"');
  const due = async (until: number) => (await store.due({ until })).map((s) => s.executionId);
  expect(await due(T0 + 19)).toEqual([]);
  expect(await due(T0 + 299)).toEqual(["idle"]);
  expect(await due(T0 + 4999)).toEqual(["idle", "nap"]);
  expect(await due(T0 + 100_000)).toEqual(["idle", "nap", "run"]);
  // runner-A's lease lives on: runner-B can neither take it nor record.
  expect(await store.lease("run", "runner-B", { now: T0 + 100, expiresAt: T0 + 200 })).toEqual({ owner: "runner-A", expiresAt: T0 + 5000 });
  const step = (owner: string) => store.commit("run", [at("run", 2, T.TASK_COMPLETED, T0 + 101)], { expectedSeq: 2, lease: { owner, now: T0 + 101 } });
  await expect(step("runner-B")).rejects.toBeInstanceOf(ConflictError);
  await step("runner-A");
  // The paused one whose old lease row was stale resumes under anyone's lease.
  await store.commit("ask", [at("ask", 2, T.WORKFLOW_RESUMED, T0 + 102)], { expectedSeq: 2, lease: { owner: "runner-C", now: T0 + 102, expiresAt: T0 + 800 } });
  expect(await store.get("ask")).toMatchObject({ state: "running", wakeAt: T0 + 800, lease: { owner: "runner-C", expiresAt: T0 + 800 } });
}
