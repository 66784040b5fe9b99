import { expect } from "vitest";
import { CancelRequestedError, ConflictError, ExecutionFinishedError, ExecutionNotFoundError } from "../../src/errors.js";
import { ExecutionEventType as T } from "../../src/events.js";
import type { StateStore, Wait } from "../../src/state-store.js";
import { type Case, ev, started, T0 } from "./case-context.js";

const waitFor = (stepId: string, name: string, until?: number): Wait => ({ kind: "event", stepId, name, ...(until === undefined ? {} : { until }) });

async function start(store: StateStore, id: string) {
  await store.commit(id, started("wf", T0), { expectedSeq: 0, lease: { owner: "A", now: T0, expiresAt: T0 + 1000 } });
}

async function suspend(store: StateStore, id: string, seq: number, waits: Wait[], time: number) {
  const untils = waits.flatMap((wait) => (wait.kind === "event" && wait.until !== undefined ? [wait.until] : []));
  await store.commit(id, [ev(seq, T.WORKFLOW_PAUSED, { value: "event", time, sourceId: id })], {
    expectedSeq: seq,
    lease: { owner: "A", now: time },
    suspend: { waits, ...(untils.length > 0 ? { wakeAt: Math.min(...untils) } : {}) },
  });
}

const payloads = async (store: StateStore, id: string) => (await store.pending(id)).map((event) => `${event.seq}:${event.name}:${event.payload}`);

/** Cases about events sent to executions (their inbox) and cancellations asked for. */
export const eventCases = {
  "keeps each execution's inbox in order until commits consume it, each event once": async ({ create }) => {
    const store = await create();
    await start(store, "e");
    await start(store, "other");
    expect(await store.pending("e")).toEqual([]);
    expect(await store.deliver("e", { name: "approve", payload: '"a"', time: T0 + 1 })).toEqual({ seq: 1, name: "approve", payload: '"a"', time: T0 + 1 });
    await store.deliver("e", { name: "note", payload: "{\"n\":1}", time: T0 + 2 });
    await store.deliver("e", { name: "approve", payload: '"b"', time: T0 + 3 });
    await store.deliver("other", { name: "approve", payload: '"x"', time: T0 + 3 });
    expect(await payloads(store, "e")).toEqual(['1:approve:"a"', '2:note:{"n":1}', '3:approve:"b"']);
    await store.commit("e", [ev(1, T.EVENT_RECEIVED, { time: T0 + 4 })], { expectedSeq: 1, consumes: [1] });
    expect(await payloads(store, "e")).toEqual(['2:note:{"n":1}', '3:approve:"b"']);
    // A second consumer of the same event, or of one that does not exist, writes nothing.
    await expect(store.commit("e", [ev(2, T.EVENT_RECEIVED, { time: T0 + 5 })], { expectedSeq: 2, consumes: [1] })).rejects.toBeInstanceOf(ConflictError);
    await expect(store.commit("e", [ev(2, T.EVENT_RECEIVED, { time: T0 + 5 })], { expectedSeq: 2, consumes: [9] })).rejects.toBeInstanceOf(ConflictError);
    await expect(store.commitBatch([
      { executionId: "e", events: [ev(2, T.EVENT_RECEIVED, { time: T0 + 5 })], expectedSeq: 2, consumes: [3] },
      { executionId: "e", events: [ev(3, T.EVENT_RECEIVED, { time: T0 + 5 })], expectedSeq: 3, consumes: [3] },
    ])).rejects.toBeInstanceOf(ConflictError);
    expect((await store.load("e")).length).toBe(2);
    expect(await payloads(store, "e")).toEqual(['2:note:{"n":1}', '3:approve:"b"']);
    expect(await payloads(store, "other")).toEqual(['1:approve:"x"']);
  },

  "refuses an event for an unknown or ended execution, writing nothing": async ({ create }) => {
    const store = await create();
    await expect(store.deliver("nobody", { name: "x", payload: "null", time: T0 })).rejects.toBeInstanceOf(ExecutionNotFoundError);
    await start(store, "done");
    await store.commit("done", [ev(1, T.WORKFLOW_COMPLETED, { time: T0 + 1 })], { expectedSeq: 1 });
    await expect(store.deliver("done", { name: "x", payload: "null", time: T0 + 2 })).rejects.toBeInstanceOf(ExecutionFinishedError);
    expect(await store.pending("done")).toEqual([]);
    expect(await store.pending("nobody")).toEqual([]);
  },

  "makes an execution waiting on an event due when one of that name arrives, or when it is already there": async ({ create }) => {
    const store = await create();
    await start(store, "w");
    await suspend(store, "w", 1, [waitFor("1", "approve", T0 + 60_000)], T0 + 10);
    expect((await store.get("w"))?.wakeAt).toBe(T0 + 60_000);
    await store.deliver("w", { name: "other", payload: "1", time: T0 + 20 });
    expect((await store.get("w"))?.wakeAt).toBe(T0 + 60_000);
    await store.deliver("w", { name: "approve", payload: "2", time: T0 + 30 });
    expect((await store.get("w"))?.wakeAt).toBe(T0 + 30);
    expect((await store.due({ until: T0 + 30 })).map((s) => s.executionId)).toEqual(["w"]);
    // Running: left alone (its runner reads the inbox); its suspension then finds the event waiting.
    await start(store, "r");
    await store.deliver("r", { name: "approve", payload: "3", time: T0 + 40 });
    expect((await store.get("r"))?.wakeAt).toBe(T0 + 1000);
    await suspend(store, "r", 1, [waitFor("1", "approve")], T0 + 50);
    expect((await store.get("r"))?.wakeAt).toBe(T0 + 50);
    await start(store, "n");
    await store.deliver("n", { name: "other", payload: "4", time: T0 + 40 });
    await suspend(store, "n", 1, [waitFor("1", "approve")], T0 + 50);
    expect((await store.get("n"))?.wakeAt).toBeUndefined();
  },

  "records a cancellation asked for: the first is kept, a paused execution is due, a running one's commits are refused until its end": async ({ create }) => {
    const store = await create();
    await expect(store.requestCancel("nobody", { time: T0 })).rejects.toBeInstanceOf(ExecutionNotFoundError);
    await start(store, "p");
    await suspend(store, "p", 1, [{ kind: "pause", stepId: "1", name: "approve" }], T0 + 10);
    expect(await store.requestCancel("p", { reason: "changed my mind", time: T0 + 20 })).toMatchObject({ cancel: { reason: "changed my mind", time: T0 + 20 }, wakeAt: T0 + 20 });
    expect((await store.requestCancel("p", { reason: "again", time: T0 + 30 })).cancel).toEqual({ reason: "changed my mind", time: T0 + 20 });
    await start(store, "r");
    await store.requestCancel("r", { time: T0 + 40 });
    expect(await store.lease("r", "A", { now: T0 + 41, expiresAt: T0 + 2000 })).toEqual({ owner: "A", expiresAt: T0 + 2000, cancel: { time: T0 + 40 } });
    const step = store.commit("r", [ev(1, T.TASK_STARTED, { time: T0 + 42 })], { expectedSeq: 1, lease: { owner: "A", now: T0 + 42 } });
    await expect(step).rejects.toBeInstanceOf(CancelRequestedError);
    expect((await store.load("r")).length).toBe(1);
    await store.commit("r", [ev(1, T.WORKFLOW_CANCELLED, { time: T0 + 43 })], { expectedSeq: 1, lease: { owner: "A", now: T0 + 43 } });
    const ended = await store.get("r");
    expect([ended?.state, ended?.cancel, ended?.lease, ended?.wakeAt]).toEqual(["cancelled", undefined, undefined, undefined]);
    // An ended execution is left as it is.
    expect((await store.requestCancel("r", { time: T0 + 50 })).cancel).toBeUndefined();
  },

  "keeps inboxes and cancellations across reopen": async ({ create, reopen }) => {
    const store = await create();
    await start(store, "e");
    await store.deliver("e", { name: "a", payload: "1", time: T0 + 1 });
    await store.deliver("e", { name: "b", payload: "2", time: T0 + 2 });
    await store.commit("e", [ev(1, T.EVENT_RECEIVED, { time: T0 + 3 })], { expectedSeq: 1, consumes: [1] });
    await store.requestCancel("e", { reason: "stop", time: T0 + 4 });
    const reopened = await reopen(store);
    expect(await payloads(reopened, "e")).toEqual(["2:b:2"]);
    expect((await reopened.get("e"))?.cancel).toEqual({ reason: "stop", time: T0 + 4 });
    expect((await reopened.deliver("e", { name: "c", payload: "3", time: T0 + 5 })).seq).toBe(3);
  },
} satisfies Record<string, Case>;
