// The SQL stores' statements: how many a commit takes, how many parameters they bind (D1 binds at
// most 100), and the query plans SQLite makes of the reads that must stay indexed.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { started, T0, tasks } from "./conformance/case-context.js";
import { tempDir } from "./support/temp-dir.js";
import { sqliteStoresClosedAfterEach } from "./support/opened-stores.js";

const dir = tempDir("sql-plans");
let counter = 0;
const path = () => join(dir, `store-${++counter}.db`);

describe("SQL statements and plans", () => {
  const { open } = sqliteStoresClosedAfterEach();

  it("finds due executions through the partial index on wake_at, with and without a workflow filter", async () => {
    const file = path();
    const store = await open(file);
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    const db = new Database(file, { readonly: true });
    const { dueStatement } = await import("../adapters/sql/sql-statements.js");
    for (const workflows of [undefined, ["w", "v"]]) {
      const { sql, params } = dueStatement({ until: T0, limit: 10, workflows });
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join("; ");
      expect(plan).toMatch(/^SEARCH flux_executions USING INDEX flux_executions_due \(wake_at>\? AND wake_at<\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN flux_executions/);
    }
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'flux_executions_due'").get()).toEqual({
      sql: "CREATE INDEX flux_executions_due ON flux_executions (wake_at, id) WHERE wake_at IS NOT NULL",
    });
    db.close();
  });

  it("loads a log as one range of the events' rowids, and appends a commit's events after one lookup of the execution's number", async () => {
    const file = path();
    const store = await open(file);
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    const db = new Database(file, { readonly: true });
    const plan = ({ sql, params }: { sql: string; params: readonly unknown[] }) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join("; ");
    const { loadStatement } = await import("../adapters/sql/sql-statements.js");
    const { commitStatements } = await import("../adapters/sql/sql-commit.js");
    for (const statement of [loadStatement("e"), loadStatement("e", 5, 10)]) {
      expect(plan(statement)).toMatch(/^SEARCH flux_events USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
      expect(plan(statement)).toMatch(/SEARCH flux_executions USING COVERING INDEX sqlite_autoindex_flux_executions_1 \(id=\?\)/);
      expect(plan(statement)).not.toMatch(/TEMP B-TREE|SCAN/);
    }
    const append = commitStatements([{ executionId: "e", events: tasks(1, 2), expectedSeq: 1 }]).at(-1)!;
    expect(append.sql).toMatch(/^INSERT INTO flux_events/);
    expect(plan(append)).toMatch(/SEARCH flux_executions USING COVERING INDEX sqlite_autoindex_flux_executions_1 \(id=\?\)/);
    expect(plan(append)).not.toMatch(/SCAN flux_executions|SCAN flux_events/);
    db.close();
  });

  it("keeps a plain step commit at three statements, and adds the child and parent statements only where needed", async () => {
    const { commitStatements } = await import("../adapters/sql/sql-commit.js");
    const { ExecutionEventType: T } = await import("../src/events.js");
    const { ev } = await import("./conformance/case-context.js");
    const claim = { owner: "A", now: T0 };
    expect(commitStatements([{ executionId: "e", events: tasks(5, 2), expectedSeq: 5, lease: claim }]).length).toBe(3);
    expect(commitStatements([{ executionId: "e", events: started("w", T0), expectedSeq: 0, lease: { ...claim, expiresAt: T0 + 1 } }]).length).toBe(2);
    const children = Array.from({ length: 200 }, (_, i) => ({ kind: "child" as const, stepId: String(i), executionId: `c${i}`, workflow: "sub" }));
    const suspension = commitStatements([{ executionId: "e", events: [ev(5, T.WORKFLOW_PAUSED)], expectedSeq: 5, suspend: { waits: children } }]);
    expect(suspension.length).toBe(3 + 3);
    expect(Math.max(...suspension.map((statement) => statement.params.length))).toBeLessThanOrEqual(100);
    expect(commitStatements([{ executionId: "e", events: [ev(5, T.WORKFLOW_FAILED)], expectedSeq: 5 }]).length).toBe(4);
    // Inbox events consumed: a guard and a mark, whatever their number; a suspension on events: one check.
    const consuming = commitStatements([{ executionId: "e", events: [ev(5, T.EVENT_RECEIVED)], expectedSeq: 5, consumes: Array.from({ length: 200 }, (_, i) => i + 1) }]);
    expect(consuming.length).toBe(3 + 2);
    expect(Math.max(...consuming.map((statement) => statement.params.length))).toBeLessThanOrEqual(100);
    const names = Array.from({ length: 200 }, (_, i) => ({ kind: "event" as const, stepId: String(i), name: `n${i}` }));
    const waiting = commitStatements([{ executionId: "e", events: [ev(5, T.WORKFLOW_PAUSED)], expectedSeq: 5, suspend: { waits: names } }]);
    expect(waiting.length).toBe(3 + 1);
    expect(Math.max(...waiting.map((statement) => statement.params.length))).toBeLessThanOrEqual(100);
  });

  it("reads an inbox through its indexes: pending events by the partial index, the next seq and the consume guard by key", async () => {
    const file = path();
    const store = await open(file);
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    const db = new Database(file, { readonly: true });
    const plan = ({ sql, params }: { sql: string; params: readonly unknown[] }) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join("; ");
    const { pendingStatement, deliverStatements, consumeStatements } = await import("../adapters/sql/sql-inbox.js");
    expect(plan(pendingStatement("e"))).toMatch(/^SEARCH flux_inbox USING (COVERING )?INDEX flux_inbox_pending \(execution_id=\?\)$/);
    const [wake, insert] = deliverStatements("e", { name: "n", payload: "1", time: T0 });
    expect(plan(insert!)).toMatch(/SEARCH flux_executions USING INDEX sqlite_autoindex_flux_executions_1 \(id=\?\).*SEARCH flux_inbox USING (COVERING )?INDEX (sqlite_autoindex_flux_inbox_1|flux_inbox_pending) \(execution_id=\?\)/);
    expect(plan(wake!)).toMatch(/^SEARCH flux_executions USING INDEX sqlite_autoindex_flux_executions_1 \(id=\?\)/);
    const [guard] = consumeStatements("e", [1, 2]);
    expect(plan(guard!)).toMatch(/SEARCH flux_inbox USING (COVERING )?INDEX (sqlite_autoindex_flux_inbox_1|flux_inbox_pending) \(execution_id=\? AND seq=\?\)/);
    expect(plan(guard!)).not.toMatch(/SCAN flux_inbox/);
    db.close();
  });

});
