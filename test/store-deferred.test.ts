import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { DeferredStore } from "../adapters/browser/deferred-store.js";
import { openIdbStore } from "../adapters/idb/index.js";
import { StoreError } from "../src/errors.js";
import { MemoryStore } from "../src/memory-store.js";
import type { StateStore } from "../src/state-store.js";
import { started, T0 } from "./conformance/case-context.js";
import { admitCases, testStateStore } from "./store-conformance.js";

let counter = 0;
const names = new WeakMap<StateStore, string>();
const deferred = (name: string) => {
  const store = new DeferredStore(() => openIdbStore(name));
  names.set(store, name);
  return store;
};

// The browser default engine's store: every method, with every argument, must reach the opened one.
testStateStore({
  name: "DeferredStore (over IndexedDB, fake-indexeddb)",
  create: async () => deferred(`deferred-${++counter}`),
  reopen: async (store) => {
    await store.close();
    return deferred(names.get(store)!);
  },
  openSecond: async (store) => deferred(names.get(store)!),
  skip: [{ reason: "the DeferredStore (the browser's default, over IndexedDB) has no admit(): queues are not supported on it", tests: admitCases }],
});

// The same over the memory store, which has the inbox and cancellation methods on every branch:
// their arguments and answers must pass through too.
testStateStore({
  name: "DeferredStore (over the memory store)",
  create: async () => new DeferredStore(async () => new MemoryStore()),
  skip: [
    { reason: "the memory store keeps nothing once closed", tests: ["keeps data after close and reopen", "keeps waits, wake times, parents and leases across reopen", "keeps inboxes and cancellations across reopen"] },
    { reason: "a memory store has no second handle on its data", tests: ["lets exactly one of two handles on the same data win, commits and leases"] },
    { reason: "the DeferredStore (the browser's default, over IndexedDB) has no admit(): queues are not supported on it", tests: admitCases },
  ],
});

describe("DeferredStore", () => {
  it("opens on first use, and tries a failed open again on the next call", async () => {
    let opens = 0;
    const store = new DeferredStore(async () => {
      opens += 1;
      if (opens === 1) throw new StoreError("not yet");
      return new MemoryStore();
    });
    expect(opens).toBe(0);
    await expect(store.due({ until: T0 })).rejects.toThrow("not yet");
    await store.commit("e", started("w", T0), { expectedSeq: 0, lease: { owner: "A", now: T0, expiresAt: T0 + 10 } });
    expect(await store.due({ until: T0 + 10 })).toEqual([await store.get("e")]);
    expect(opens).toBe(2);
  });
});
