/**
 * The replay index keeps a finished plain task as two event ids and reads its record back from
 * the log; what waits (unfinished steps) never needs the compacted ones read back.
 */
import { describe, expect, it } from "vitest";
import { EventLog } from "../src/event-log.js";
import { ExecutionEventType as T, type ExecutionEventType } from "../src/events.js";
import { applyToIndex } from "../src/replay-index.js";
import { encodeValue } from "../src/serialization.js";
import { StepIndex } from "../src/step-index.js";

/** A log that counts how often a record is read back from it. */
class CountingLog extends EventLog {
  reads = 0;
  override nameAt(id: number): string {
    this.reads += 1;
    return super.nameAt(id);
  }
}

/** A log and its index fed as the engine feeds them while loading. */
function loaded(events: readonly (readonly [ExecutionEventType, string, string, unknown])[]) {
  const log = new CountingLog("exec");
  const index = new StepIndex(log, true);
  events.forEach(([type, sourceId, name, value], id) => {
    const text = encodeValue(value);
    applyToIndex(index, type, sourceId, name, text, 1000 + id, id);
    log.push(type, sourceId, name, text, 1000 + id);
    if (type === T.TASK_COMPLETED || type === T.TASK_FAILED) index.finished(sourceId, id);
  });
  return { index, log };
}

describe("the replay index", () => {
  const { index, log } = loaded([
    [T.WORKFLOW_STARTED, "exec", "wf", null],
    [T.TASK_STARTED, "1", "charge", [12]],
    [T.TASK_COMPLETED, "1", "charge", "paid"],
    [T.TASK_STARTED, "2", "notify", ["a", "b"]],
    [T.TASK_FAILED, "2", "notify", new Error("down")],
    [T.TASK_STARTED, "3", "sleep", [5000]],
    [T.TASK_COMPLETED, "3", "sleep", null],
    [T.TASK_PAUSED, "4", "approval", null],
  ]);

  it("keeps finished plain tasks compact and reads them back whole", () => {
    expect(index.size).toBe(4);
    expect(index.get("1")).toMatchObject({ stepId: "1", kind: "task", name: "charge", single: true, startedAt: 1001, outcome: { ok: true, text: '"paid"' } });
    expect(index.get("2")).toMatchObject({ kind: "task", name: "notify", single: false, outcome: { ok: false } });
    // A task named "sleep" (a sleep recorded before kinds were) keeps its [ms].
    expect(index.get("3")).toMatchObject({ kind: "task", name: "sleep", detail: 5000, single: true });
    expect([...index.values()].map((record) => record.stepId).sort()).toEqual(["1", "2", "3", "4"]);
  });

  it("gives what waits without reading the finished steps back", () => {
    log.reads = 0;
    expect([...index.unfinished()].map((record) => record.stepId)).toEqual(["4"]);
    expect(log.reads).toBe(0);
  });
});
