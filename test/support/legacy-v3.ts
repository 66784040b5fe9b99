import { expect } from "vitest";
import { migrations } from "../../adapters/sql/sql-schema.js";
import { CancelRequestedError, ExecutionFinishedError, ExecutionNotFoundError } from "../../src/errors.js";
import { ExecutionEventType as T } from "../../src/events.js";
import type { ExecutionSummary, StateStore, StoredEvent } from "../../src/state-store.js";
import { ev, T0 } from "../conformance/case-context.js";

const at = (id: string, seq: number, type: T, time: number, value: unknown = null): StoredEvent => ev(seq, type, { name: "w", time, value, sourceId: id });

/**
 * Executions as flux-ts recorded them at SQL schema version 3 / IndexedDB version 3: waits, wake
 * times, parents and leases in the summary; no inbox, no cancellation.
 */
export const v3Logs: Readonly<Record<string, readonly StoredEvent[]>> = {
  run: [at("run", 0, T.WORKFLOW_STARTED, T0), at("run", 1, T.TASK_STARTED, T0 + 10)],
  ask: [at("ask", 0, T.WORKFLOW_STARTED, T0 + 1), at("ask", 1, T.WORKFLOW_PAUSED, T0 + 2, "approval")],
  nap: [at("nap", 0, T.WORKFLOW_STARTED, T0 + 3), at("nap", 1, T.WORKFLOW_PAUSED, T0 + 4, "sleep")],
  kid: [at("kid", 0, T.WORKFLOW_STARTED, T0 + 5), at("kid", 1, T.WORKFLOW_COMPLETED, T0 + 6, "ok")],
};

/** The summaries version 3 kept for {@link v3Logs} (and what a store must still return after migrating). */
export const v3Summaries: Readonly<Record<string, ExecutionSummary>> = {
  run: { executionId: "run", workflow: "w", state: "running", events: 2, createdAt: T0, updatedAt: T0 + 10, wakeAt: T0 + 5000, lease: { owner: "runner-A", expiresAt: T0 + 5000 } },
  ask: {
    executionId: "ask", workflow: "w", state: "paused", events: 2, createdAt: T0 + 1, updatedAt: T0 + 2,
    // Its child finished after it paused: due since then (wakeParent).
    waits: [{ kind: "pause", stepId: "1", name: "approval" }, { kind: "child", stepId: "2", executionId: "kid", workflow: "w" }], wakeAt: T0 + 6,
  },
  nap: { executionId: "nap", workflow: "w", state: "paused", events: 2, createdAt: T0 + 3, updatedAt: T0 + 4, waits: [{ kind: "timer", stepId: "1", until: T0 + 300 }], wakeAt: T0 + 300 },
  kid: { executionId: "kid", workflow: "w", state: "succeeded", events: 2, createdAt: T0 + 5, updatedAt: T0 + 6, parentId: "ask" },
};

/** The statements that write a schema-version-3 SQL database holding {@link v3Logs} and a cache entry. */
export function legacyV3Statements(): { sql: string; params: (string | number | null)[] }[] {
  const schema = migrations.filter((m) => m.version <= 3).flatMap((m) => m.statements.map((sql) => ({ sql, params: [] })));
  return [
    ...schema,
    { sql: "UPDATE flux_meta SET schema_version = 3", params: [] },
    ...Object.values(v3Summaries).map((s) => ({
      sql: `INSERT INTO flux_executions (id, workflow, state, events, created_at, updated_at, parent_id, waits, wake_at, lease_owner, lease_expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [s.executionId, s.workflow, s.state, s.events, s.createdAt, s.updatedAt, s.parentId ?? null, s.waits === undefined ? null : JSON.stringify(s.waits),
        s.wakeAt ?? null, s.lease?.owner ?? null, s.lease?.expiresAt ?? null],
    })),
    ...Object.entries(v3Logs).flatMap(([id, log]) => log.map((e) => ({
      sql: "INSERT INTO flux_events (execution_id, seq, type, source_id, name, value, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: [id, e.id, e.type, e.sourceId, e.name, e.value, e.time],
    }))),
    { sql: "INSERT INTO flux_cache (key, value) VALUES ('k', '\"kept\"')", params: [] },
  ];
}

/**
 * Checks a store opened on the version-3 data: logs, summaries (no cancellation) and cache
 * intact, due() as before; then the new features work on the old executions: an inbox per
 * execution from seq 1, a refusal for the finished one, a cancellation of the running one
 * carried by its lease and refusing its steps until its end, which consumes its event.
 */
export async function expectV3Migrated(store: StateStore): Promise<void> {
  for (const [id, log] of Object.entries(v3Logs)) {
    expect(await store.load(id), id).toEqual(log);
    expect(await store.get(id), id).toEqual(v3Summaries[id]);
    expect(await store.pending(id), id).toEqual([]);
  }
  expect(await store.getCached("k")).toBe('"kept"');
  expect((await store.due({ until: T0 + 10_000 })).map((s) => s.executionId)).toEqual(["ask", "nap", "run"]);
  expect(await store.deliver("run", { name: "go", payload: '"now"', time: T0 + 20 })).toEqual({ seq: 1, name: "go", payload: '"now"', time: T0 + 20 });
  expect(await store.deliver("ask", { name: "go", payload: "1", time: T0 + 21 })).toMatchObject({ seq: 1 });
  await expect(store.deliver("kid", { name: "go", payload: "1", time: T0 + 22 })).rejects.toBeInstanceOf(ExecutionFinishedError);
  await expect(store.deliver("gone", { name: "go", payload: "1", time: T0 + 22 })).rejects.toBeInstanceOf(ExecutionNotFoundError);
  expect(await store.get("ask")).toEqual(v3Summaries.ask); // it waits on no event
  expect(await store.requestCancel("run", { reason: "stop", time: T0 + 30 })).toEqual({ ...v3Summaries.run, cancel: { reason: "stop", time: T0 + 30 } });
  expect(await store.lease("run", "runner-A", { now: T0 + 31, expiresAt: T0 + 6000 })).toEqual({ owner: "runner-A", expiresAt: T0 + 6000, cancel: { reason: "stop", time: T0 + 30 } });
  const claim = { owner: "runner-A", now: T0 + 32 };
  await expect(store.commit("run", [at("run", 2, T.EVENT_RECEIVED, T0 + 32)], { expectedSeq: 2, lease: claim, consumes: [1] })).rejects.toBeInstanceOf(CancelRequestedError);
  await store.commit("run", [at("run", 2, T.EVENT_RECEIVED, T0 + 33), at("run", 3, T.WORKFLOW_CANCELLED, T0 + 33)], { expectedSeq: 2, lease: claim, consumes: [1] });
  expect(await store.get("run")).toEqual({ executionId: "run", workflow: "w", state: "cancelled", events: 4, createdAt: T0, updatedAt: T0 + 33 });
  expect(await store.pending("run")).toEqual([]);
  expect(await store.pending("ask")).toEqual([{ seq: 1, name: "go", payload: "1", time: T0 + 21 }]);
}
