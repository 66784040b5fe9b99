import { expect } from "vitest";
import { ExecutionTimeoutError, RetryError } from "../../src/errors.js";
import { ExecutionEventType } from "../../src/events.js";
import { decodeValue, encodeValue } from "../../src/serialization.js";
import type { StoredEvent } from "../../src/state-store.js";
import { type Case, ev, expectedSummary, T0, tasks } from "./case-context.js";

class CodedError extends Error {
  code = "E_CODED";
}

function timeoutChain(): ExecutionTimeoutError {
  const root = new CodedError("socket hang up");
  const retry = new RetryError("charge failed 3 times", { cause: new TypeError("bad response", { cause: root }), attempts: 3 });
  return new ExecutionTimeoutError("step 3 (charge) timed out", { cause: retry, timeout: 250 });
}

const valueKinds: readonly unknown[] = [
  null, undefined, true, false, 0, -17.25, Number.MAX_SAFE_INTEGER, "", "plain text",
  [1, "two", [3, [4]], null, { five: 5 }],
  { a: { b: { c: [{ d: "e" }] } }, "": "empty key", $flux: "a key like the encoder's tag", list: [] },
  new Date("2024-02-29T12:34:56.789Z"),
  timeoutChain(),
];

/** Cases about what a log holds: values, order, summaries. */
export const logCases = {
  "round-trips every event type and value kind": async ({ create }) => {
    const store = await create();
    const types = Object.values(ExecutionEventType);
    const events: StoredEvent[] = types.map((type, i) =>
      ev(i, type, { name: `name-${i}`, value: valueKinds[i % valueKinds.length], time: T0 + 1000 * i + 0.5 * (i % 2), sourceId: `${i}.1` }),
    );
    await store.commit("exec", events, { expectedSeq: 0 });
    const loaded = await store.load("exec");
    expect(loaded).toEqual(events);
    const decoded = loaded.map((event) => decodeValue(event.value));
    expect(decoded.slice(0, 11)).toEqual(valueKinds.slice(0, 11));
    expect(decoded[1]).toBeUndefined();
    const date = decoded[11];
    expect(date).toBeInstanceOf(Date);
    expect((date as Date).toISOString()).toBe("2024-02-29T12:34:56.789Z");
    const error = decoded[12] as ExecutionTimeoutError;
    expect(error).toBeInstanceOf(ExecutionTimeoutError);
    expect(error.message).toBe("step 3 (charge) timed out");
    expect(error.timeout).toBe(250);
    const retry = error.cause as RetryError;
    expect(retry).toBeInstanceOf(RetryError);
    expect(retry.attempts).toBe(3);
    expect(retry.cause).toBeInstanceOf(TypeError);
    const root = (retry.cause as TypeError).cause as Error & { code?: string };
    expect(root.name).toBe("Error");
    expect([root.message, root.code]).toEqual(["socket hang up", "E_CODED"]);
  },

  "stores a 1 MB value intact": async ({ create }) => {
    const store = await create();
    const text = "aé😀\n\"\\{}".repeat(Math.ceil((1 << 20) / 9)).slice(0, 1 << 20);
    const event = ev(0, ExecutionEventType.TASK_COMPLETED, { value: { text } });
    await store.commit("big", [event], { expectedSeq: 0 });
    const [loaded] = await store.load("big");
    expect(loaded?.value.length).toBe(event.value.length);
    expect(loaded?.value === event.value).toBe(true);
    expect((decodeValue(loaded?.value ?? "null") as { text: string }).text === text).toBe(true);
  },

  "keeps odd characters in ids, names and values": async ({ create }) => {
    const store = await create();
    const id = "exé-😀-\u2028-'\"; DROP TABLE flux_events; -- %_\\";
    const name = "名前 \u202Ertl\u202C e\u0301 👩‍👩‍👧 \u0001\u007f\uFFFD";
    const value = { text: "lone \ud800 surrogate, \uFFFF, tab\t, emoji 🧪, null char escaped \u0000", [name]: id };
    const events = [ev(0, ExecutionEventType.WORKFLOW_STARTED, { name, value, sourceId: `${id}/source` })];
    await store.commit(id, events, { expectedSeq: 0 });
    await store.setCached(id, encodeValue(value));
    const loaded = await store.load(id);
    expect(loaded).toEqual(events);
    expect(decodeValue(loaded[0]?.value ?? "null")).toEqual(value);
    expect(await store.getCached(id)).toBe(encodeValue(value));
    expect((await store.get(id))?.workflow).toBe(name);
    const listed = await store.list({ workflow: name });
    expect(listed.executions.map((s) => s.executionId)).toEqual([id]);
    expect(await store.load(`${id}x`)).toEqual([]);
  },

  "keeps log order across commits and executions": async ({ create }) => {
    const store = await create();
    const a = [tasks(0, 3, { tag: "a" }), tasks(3, 1, { tag: "a" }), tasks(4, 20, { tag: "a" })];
    const b = [tasks(0, 2, { tag: "b" }), tasks(2, 2, { tag: "b" })];
    await store.commit("a", a[0] ?? [], { expectedSeq: 0 });
    await store.commit("b", b[0] ?? [], { expectedSeq: 0 });
    await store.commit("a", a[1] ?? [], { expectedSeq: 3 });
    await store.commit("b", b[1] ?? [], { expectedSeq: 2 });
    await store.commit("a", a[2] ?? [], { expectedSeq: 4 });
    const loadedA = await store.load("a");
    expect(loadedA).toEqual(a.flat());
    expect(loadedA.map((e) => e.id)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(await store.load("b")).toEqual(b.flat());
    expect((await store.get("a"))?.events).toBe(24);
  },

  "loads a page of a log: ids from `from`, at most `limit`": async ({ create }) => {
    const store = await create();
    const log = tasks(0, 25, { tag: "p" });
    await store.commit("p", log.slice(0, 10), { expectedSeq: 0 });
    await store.commit("p", log.slice(10), { expectedSeq: 10 });
    expect(await store.load("p", { from: 0, limit: 10 })).toEqual(log.slice(0, 10));
    expect(await store.load("p", { from: 10, limit: 10 })).toEqual(log.slice(10, 20));
    expect(await store.load("p", { from: 20, limit: 10 })).toEqual(log.slice(20));
    expect(await store.load("p", { from: 7 })).toEqual(log.slice(7));
    expect(await store.load("p", { limit: 3 })).toEqual(log.slice(0, 3));
    expect(await store.load("p", { from: 25, limit: 10 })).toEqual([]);
    expect(await store.load("nobody", { from: 0, limit: 10 })).toEqual([]);
  },

  "returns an empty log and no summary for an unknown execution": async ({ create }) => {
    const store = await create();
    await store.commit("known", tasks(0, 1), { expectedSeq: 0 });
    expect(await store.load("unknown")).toEqual([]);
    expect(await store.get("unknown")).toBeUndefined();
    expect(await store.load("know")).toEqual([]);
    expect((await store.load("known")).length).toBe(1);
  },

  "moves the summary through created, running, paused, running, succeeded": async ({ create }) => {
    const store = await create();
    const E = ExecutionEventType;
    const commits: StoredEvent[][] = [
      [ev(0, E.TASK_STARTED, { name: "checkout", time: T0 + 10 })],
      [ev(1, E.WORKFLOW_STARTED, { name: "checkout", time: T0 + 20 })],
      [ev(2, E.TASK_STARTED, { name: "charge", time: T0 + 30 }), ev(3, E.TASK_COMPLETED, { name: "charge", time: T0 + 31 })],
      [ev(4, E.TASK_PAUSED, { name: "approve", time: T0 + 40 }), ev(5, E.WORKFLOW_PAUSED, { name: "checkout", time: T0 + 41 })],
      [ev(6, E.WORKFLOW_RESUMED, { name: "checkout", time: T0 + 50 }), ev(7, E.TASK_RESUMED, { name: "approve", time: T0 + 51 })],
      [ev(8, E.WORKFLOW_COMPLETED, { name: "checkout", value: { ok: true }, time: T0 + 60 })],
    ];
    const states = ["created", "running", "running", "paused", "running", "succeeded"];
    let seq = 0;
    for (const [i, events] of commits.entries()) {
      await store.commit("exec", events, { expectedSeq: seq });
      seq += events.length;
      const summary = await store.get("exec");
      expect(summary).toEqual(expectedSummary("exec", commits.slice(0, i + 1)));
      expect(summary?.state).toBe(states[i]);
      expect(summary?.events).toBe(seq);
      expect(summary?.workflow).toBe("checkout");
      expect([summary?.createdAt, summary?.updatedAt]).toEqual([T0 + 10, events[events.length - 1]?.time]);
    }
  },

  "records failure and applies the last of several state changes in one commit": async ({ create }) => {
    const store = await create();
    const E = ExecutionEventType;
    await store.commit("f", [
      ev(0, E.WORKFLOW_STARTED), ev(1, E.TASK_STARTED), ev(2, E.TASK_FAILED, { value: new Error("no") }),
      ev(3, E.WORKFLOW_FAILED, { value: new RetryError("gave up", { attempts: 2 }) }),
    ], { expectedSeq: 0 });
    expect((await store.get("f"))?.state).toBe("failed");
    await store.commit("p", [ev(0, E.WORKFLOW_STARTED), ev(1, E.WORKFLOW_PAUSED), ev(2, E.WORKFLOW_RESUMED), ev(3, E.TASK_STARTED)], { expectedSeq: 0 });
    expect((await store.get("p"))?.state).toBe("running");
    await store.commit("p", [ev(4, E.WORKFLOW_PAUSED), ev(5, E.TASK_STARTED, { time: T0 + 99 })], { expectedSeq: 4 });
    expect(await store.get("p")).toMatchObject({ state: "paused", events: 6, updatedAt: T0 + 99, createdAt: T0 });
    const reloaded = decodeValue((await store.load("f"))[3]?.value ?? "null");
    expect(reloaded).toBeInstanceOf(RetryError);
  },
} satisfies Record<string, Case>;
