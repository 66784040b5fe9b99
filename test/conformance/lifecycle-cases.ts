import { expect } from "vitest";
import { ConflictError, StoreError } from "../../src/errors.js";
import { ExecutionEventType } from "../../src/events.js";
import { type Case, ev, started, T0, tasks } from "./case-context.js";

/** Cases about closing and reopening a store. */
export const lifecycleCases = {
  "keeps data after close and reopen": async ({ create, reopen }) => {
    const store = await create();
    const a = [...started("wa", T0), ...tasks(1, 3)];
    const b = [...started("wb", T0 + 5), ev(1, ExecutionEventType.WORKFLOW_COMPLETED, { value: new Date(T0), time: T0 + 6 })];
    await store.commit("a", a, { expectedSeq: 0 });
    await store.commit("b", b, { expectedSeq: 0 });
    await store.setCached("key", '"cached"');
    await store.lease("a", "runner-1", { now: T0, expiresAt: T0 + 60_000 });
    const page = await store.list();
    const reopened = await reopen(store);
    expect(await reopened.load("a")).toEqual(a);
    expect(await reopened.load("b")).toEqual(b);
    expect(await reopened.list()).toEqual(page);
    expect((await reopened.get("b"))?.state).toBe("succeeded");
    expect(await reopened.getCached("key")).toBe('"cached"');
    expect(await reopened.lease("a", "runner-2", { now: T0 + 1, expiresAt: T0 + 2 })).toEqual({ owner: "runner-1", expiresAt: T0 + 60_000 });
    await expect(reopened.commit("a", tasks(2, 1), { expectedSeq: 2 })).rejects.toBeInstanceOf(ConflictError);
    await reopened.commit("a", tasks(4, 1), { expectedSeq: 4 });
    const again = await reopen(reopened);
    expect((await again.load("a")).length).toBe(5);
    expect((await again.get("a"))?.events).toBe(5);
  },

  "rejects every call after close; closing twice is harmless": async ({ create }) => {
    const store = await create();
    await store.commit("exec", tasks(0, 1), { expectedSeq: 0 });
    await store.close();
    await store.close();
    const calls: Promise<unknown>[] = [
      store.commit("exec", tasks(1, 1), { expectedSeq: 1 }),
      store.commitBatch([{ executionId: "other", events: tasks(0, 1), expectedSeq: 0 }]),
      store.load("exec"),
      store.get("exec"),
      store.list(),
      store.getCached("k"),
      store.setCached("k", "1"),
      store.lease("exec", "runner", { now: T0, expiresAt: T0 + 1 }),
      store.due({ until: T0 }),
    ];
    // Settled together: a store whose calls settle in separate turns (one over HTTP) must not
    // leave a later call's rejection unobserved while an earlier one is awaited.
    const outcomes = await Promise.allSettled(calls);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    }
  },
} satisfies Record<string, Case>;
