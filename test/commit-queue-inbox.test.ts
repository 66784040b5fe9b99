// The group commit and the inbox/cancellation contract: a batch refused for one execution's
// cancellation does not fail the others' commits (CancelRequestedError is a ConflictError: retried
// commit by commit); joined commits carry their consumes; the new errors are exported.
import * as flux from "flux-ts";
import { describe, expect, test } from "vitest";
import { CommitQueue } from "../src/commit-queue.js";
import { CancelRequestedError } from "../src/errors.js";
import { ExecutionEventType as T } from "../src/events.js";
import { MemoryStore } from "../src/memory-store.js";
import { ev, started, T0 } from "./conformance/case-context.js";

async function twoRunning(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.commit("a", started("w", T0), { expectedSeq: 0 });
  await store.commit("b", started("w", T0), { expectedSeq: 0 });
  return store;
}

describe("the group commit with inboxes and cancellations", () => {
  // commitBatch rejects with CancelRequestedError, which is not a ConflictError, so CommitQueue
  // does not retry the batch commit by commit: every execution that shared the batch gets the
  // cancellation of one. Fix: retry one by one on CancelRequestedError too (or make it a
  // ConflictError), and say so in StateStore.commitBatch's doc ("Rejects with ConflictError if
  // any of them would" is no longer the only refusal).
  test("a group commit refused for one execution's cancellation does not fail another execution's commit", async () => {
    const store = await twoRunning();
    await store.requestCancel("a", { time: T0 + 1 });
    const queue = new CommitQueue(store);
    const [a, b] = await Promise.allSettled([
      queue.commit({ executionId: "a", events: [ev(1, T.TASK_STARTED)], expectedSeq: 1 }),
      queue.commit({ executionId: "b", events: [ev(1, T.TASK_STARTED)], expectedSeq: 1 }),
    ]);
    expect(a.status === "rejected" && a.reason instanceof CancelRequestedError).toBe(true);
    expect(b.status).toBe("fulfilled");
    expect((await store.load("b")).length).toBe(2);
  });

  // CommitQueue's Waiting and toCommit carry lease, suspend and parentId, not consumes: the
  // EVENT_RECEIVED is recorded while the inbox event stays pending (a replay or a second wait
  // would receive it again). A commit joined to a waiting one must add its consumes too.
  test("a commit's consumes reach the store through the group commit, joined commits' too", async () => {
    const store = await twoRunning();
    await store.deliver("a", { name: "go", payload: "1", time: T0 + 1 });
    await store.deliver("a", { name: "go", payload: "2", time: T0 + 2 });
    const queue = new CommitQueue(store);
    await Promise.all([
      queue.commit({ executionId: "a", events: [ev(1, T.EVENT_RECEIVED)], expectedSeq: 1, consumes: [1] }),
      queue.commit({ executionId: "a", events: [ev(2, T.EVENT_RECEIVED)], expectedSeq: 2, consumes: [2] }),
    ]);
    expect(await store.pending("a")).toEqual([]);
  });

  // src/index.ts exports none of the new error classes (nor the InboxEvent and CancelRequest
  // types): a user cannot catch ExecutionFinishedError from engine.sendEvent, and a store written
  // outside this repository cannot name the types its deliver/requestCancel take.
  test("flux-ts exports the new error classes", () => {
    const exported = flux as Record<string, unknown>;
    expect(["ExecutionFinishedError", "CancelRequestedError", "CancelledError"].filter((name) => typeof exported[name] !== "function")).toEqual([]);
  });
});
