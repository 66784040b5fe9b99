import { expect } from "vitest";
import { migrations } from "../../adapters/sql/sql-schema.js";
import { ExecutionEventType as T } from "../../src/events.js";
import type { ExecutionSummary, InboxEvent, StateStore, StoredEvent } from "../../src/state-store.js";
import { ev, T0 } from "../conformance/case-context.js";

const at = (id: string, seq: number, type: T, time: number, value: unknown = null, name = "w"): StoredEvent => ev(seq, type, { name, time, value, sourceId: seq === 0 ? id : String(seq) });

/**
 * Executions as flux-ts recorded them at SQL schema version 4 (events keyed by (execution_id,
 * seq), a rowid summary table): one in every state, with leases, waits, wake times, a parent, a
 * cancellation asked for, inboxes with consumed and pending events, and two workflows. Ids are
 * not in creation order, so that an order by id and one by creation differ.
 */
export const v4Logs: Readonly<Record<string, readonly StoredEvent[]>> = {
  "m-running": [at("m-running", 0, T.WORKFLOW_STARTED, T0), at("m-running", 1, T.TASK_STARTED, T0 + 10), at("m-running", 2, T.TASK_COMPLETED, T0 + 11, { n: 1 })],
  "a-created": [at("a-created", 0, T.TASK_STARTED, T0 + 1)],
  "z-paused": [
    at("z-paused", 0, T.WORKFLOW_STARTED, T0 + 2, null, "v"),
    at("z-paused", 1, T.EVENT_WAIT_STARTED, T0 + 3, { timeout: null }, "v"),
    at("z-paused", 2, T.WORKFLOW_PAUSED, T0 + 4, null, "v"),
  ],
  "b-child": [at("b-child", 0, T.WORKFLOW_STARTED, T0 + 5), at("b-child", 1, T.WORKFLOW_COMPLETED, T0 + 6, "ok")],
  "q-failed": [at("q-failed", 0, T.WORKFLOW_STARTED, T0 + 7), at("q-failed", 1, T.WORKFLOW_FAILED, T0 + 8, { name: "Error", message: "boom" })],
  "c-cancelled": [at("c-cancelled", 0, T.WORKFLOW_STARTED, T0 + 9), at("c-cancelled", 1, T.WORKFLOW_CANCELLED, T0 + 12)],
  "n-nap": [at("n-nap", 0, T.WORKFLOW_STARTED, T0 + 13, null, "v"), at("n-nap", 1, T.WORKFLOW_PAUSED, T0 + 14, null, "v")],
};

/** The summaries version 4 kept for {@link v4Logs}: what the store must still return after migrating. */
export const v4Summaries: Readonly<Record<string, ExecutionSummary>> = {
  "m-running": {
    executionId: "m-running", workflow: "w", state: "running", events: 3, createdAt: T0, updatedAt: T0 + 11, wakeAt: T0 + 5000,
    lease: { owner: "runner-A", expiresAt: T0 + 5000 }, cancel: { reason: "stop it", time: T0 + 40 },
  },
  "a-created": { executionId: "a-created", workflow: "w", state: "created", events: 1, createdAt: T0 + 1, updatedAt: T0 + 1, lease: { owner: "runner-B", expiresAt: T0 + 4000 } },
  "z-paused": {
    executionId: "z-paused", workflow: "v", state: "paused", events: 3, createdAt: T0 + 2, updatedAt: T0 + 4,
    waits: [{ kind: "event", stepId: "1", name: "approve" }, { kind: "child", stepId: "2", executionId: "b-child", workflow: "w" }], wakeAt: T0 + 6,
  },
  "b-child": { executionId: "b-child", workflow: "w", state: "succeeded", events: 2, createdAt: T0 + 5, updatedAt: T0 + 6, parentId: "z-paused" },
  "q-failed": { executionId: "q-failed", workflow: "w", state: "failed", events: 2, createdAt: T0 + 7, updatedAt: T0 + 8 },
  "c-cancelled": { executionId: "c-cancelled", workflow: "w", state: "cancelled", events: 2, createdAt: T0 + 9, updatedAt: T0 + 12 },
  "n-nap": { executionId: "n-nap", workflow: "v", state: "paused", events: 2, createdAt: T0 + 13, updatedAt: T0 + 14, waits: [{ kind: "timer", stepId: "1", until: T0 + 300 }], wakeAt: T0 + 300 },
};

/** The inboxes of {@link v4Logs} (consumed events included, flagged), by execution. */
export const v4Inboxes: Readonly<Record<string, readonly (InboxEvent & { readonly consumed: boolean })[]>> = {
  "m-running": [
    { seq: 1, name: "go", payload: '"first"', time: T0 + 20, consumed: true },
    { seq: 2, name: "go", payload: '"second"', time: T0 + 21, consumed: false },
  ],
  "z-paused": [{ seq: 1, name: "other", payload: "1", time: T0 + 22, consumed: false }],
  "c-cancelled": [{ seq: 1, name: "late", payload: "null", time: T0 + 10, consumed: true }],
};

/** The cache entries of the version-4 database. */
export const v4Cache: Readonly<Record<string, string>> = { k: '"kept"', "secret:x": '{"v":1}' };

/** The statements that write a schema-version-4 SQL database holding {@link v4Logs}, their inboxes and the cache. */
export function legacyV4Statements(): { sql: string; params: (string | number | null)[] }[] {
  const schema = migrations.filter((m) => m.version <= 4).flatMap((m) => m.statements.map((sql) => ({ sql, params: [] })));
  return [
    ...schema,
    { sql: "UPDATE flux_meta SET schema_version = 4", params: [] },
    ...Object.values(v4Summaries).map((s) => ({
      sql: `INSERT INTO flux_executions (id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at, cancel_requested_at, cancel_reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [s.executionId, s.workflow, s.state, s.events, s.createdAt, s.updatedAt, s.parentId ?? null, s.waits === undefined ? null : JSON.stringify(s.waits),
        s.wakeAt ?? null, s.lease?.owner ?? null, s.lease?.expiresAt ?? null, s.cancel?.time ?? null, s.cancel?.reason ?? null],
    })),
    ...Object.entries(v4Logs).flatMap(([id, log]) => log.map((e) => ({
      sql: "INSERT INTO flux_events (execution_id, seq, type, source_id, name, value, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: [id, e.id, e.type, e.sourceId, e.name, e.value, e.time],
    }))),
    ...Object.entries(v4Inboxes).flatMap(([id, inbox]) => inbox.map((e) => ({
      sql: "INSERT INTO flux_inbox (execution_id, seq, name, payload, time, consumed) VALUES (?, ?, ?, ?, ?, ?)",
      params: [id, e.seq, e.name, e.payload, e.time, e.consumed ? 1 : 0],
    }))),
    ...Object.entries(v4Cache).map(([key, value]) => ({ sql: "INSERT INTO flux_cache (key, value) VALUES (?, ?)", params: [key, value] })),
  ];
}

const newestFirst = (a: ExecutionSummary, b: ExecutionSummary) => b.createdAt - a.createdAt || (a.executionId < b.executionId ? 1 : -1);

/**
 * Checks a store opened on the version-4 data: every log (whole and paged), summary, list page
 * (all, by state, by workflow, paged by cursor), due list, inbox and cache entry reads back as
 * version 4 kept it; then the old executions go on: a step of the running one, a delivery to
 * the paused one, and a new execution whose log and summary sit beside theirs.
 */
export async function expectV4Migrated(store: StateStore): Promise<void> {
  for (const [id, log] of Object.entries(v4Logs)) {
    expect(await store.load(id), id).toEqual(log);
    expect(await store.load(id, { from: 1, limit: 1 }), id).toEqual(log.slice(1, 2));
    expect(await store.get(id), id).toEqual(v4Summaries[id]);
    expect(await store.pending(id), id).toEqual((v4Inboxes[id] ?? []).filter((e) => !e.consumed).map(({ consumed: _, ...e }) => e));
  }
  const all = Object.values(v4Summaries).sort(newestFirst);
  expect((await store.list()).executions).toEqual(all);
  for (const state of ["created", "running", "paused", "succeeded", "failed", "cancelled"] as const) {
    expect((await store.list({ state })).executions, state).toEqual(all.filter((s) => s.state === state));
  }
  expect((await store.list({ workflow: "v" })).executions).toEqual(all.filter((s) => s.workflow === "v"));
  const first = await store.list({ limit: 4 });
  expect(first.executions).toEqual(all.slice(0, 4));
  expect((await store.list({ limit: 4, cursor: first.nextCursor })).executions).toEqual(all.slice(4));
  expect((await store.due({ until: T0 + 10_000 })).map((s) => s.executionId)).toEqual(["z-paused", "n-nap", "m-running"]);
  expect((await store.due({ until: T0 + 10_000, workflows: ["v"] })).map((s) => s.executionId)).toEqual(["z-paused", "n-nap"]);
  for (const [key, value] of Object.entries(v4Cache)) expect(await store.getCached(key)).toBe(value);

  expect(await store.lease("m-running", "runner-A", { now: T0 + 50, expiresAt: T0 + 6000 })).toEqual({ owner: "runner-A", expiresAt: T0 + 6000, cancel: { reason: "stop it", time: T0 + 40 } });
  const ending = [at("m-running", 3, T.EVENT_RECEIVED, T0 + 51), at("m-running", 4, T.WORKFLOW_CANCELLED, T0 + 51)];
  await store.commit("m-running", ending, { expectedSeq: 3, lease: { owner: "runner-A", now: T0 + 51 }, consumes: [2] });
  expect(await store.load("m-running")).toEqual([...v4Logs["m-running"]!, ...ending]);
  expect(await store.deliver("z-paused", { name: "approve", payload: "true", time: T0 + 60 })).toEqual({ seq: 2, name: "approve", payload: "true", time: T0 + 60 });
  const fresh = [at("new", 0, T.WORKFLOW_STARTED, T0 + 70), at("new", 1, T.TASK_STARTED, T0 + 71)];
  await store.commit("new", fresh, { expectedSeq: 0 });
  await store.commit("new", [at("new", 2, T.TASK_COMPLETED, T0 + 72)], { expectedSeq: 2 });
  expect(await store.load("new")).toEqual([...fresh, at("new", 2, T.TASK_COMPLETED, T0 + 72)]);
  for (const [id, log] of Object.entries(v4Logs)) if (id !== "m-running") expect(await store.load(id), id).toEqual(log);
}
