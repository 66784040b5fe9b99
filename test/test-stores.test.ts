// The test wrappers around stores (FaultyStore, DyingStore) pass every StateStore method on, and
// fault the writes they say they fault: a simulation that relies on them is only as good as they are.
import { describe, expect, it } from "vitest";
import { StoreError } from "../src/errors.js";
import { MemoryStore } from "../src/memory-store.js";
import type { StateStore } from "../src/state-store.js";
import { started, T0 } from "./conformance/case-context.js";
import { DyingStore } from "./support/dying-store.js";
import { FaultyStore, type Faults } from "./support/faulty-store.js";
import { seededRandom } from "./support/seeded-random.js";
import { testStateStore } from "./store-conformance.js";

const none: Faults = { failBefore: 0, failAfter: 0, slow: 0 };
const keepsNothing = { reason: "over a MemoryStore: it keeps nothing across close", tests: ["keeps data after close and reopen", "keeps waits, wake times, parents and leases across reopen", "keeps inboxes and cancellations across reopen"] } as const;

testStateStore({
  name: "FaultyStore without faults (over MemoryStore)",
  create: async () => new FaultyStore(new MemoryStore(), seededRandom(1), none),
  openSecond: async (store) => store,
  skip: [keepsNothing],
});

testStateStore({
  name: "DyingStore alive (over MemoryStore)",
  create: async () => new DyingStore(new MemoryStore()),
  openSecond: async (store) => store,
  skip: [keepsNothing, { reason: "closing a DyingStore is a no-op: the handles of a test share one store", tests: ["rejects every call after close; closing twice is harmless"] }],
});

async function withExecution(): Promise<MemoryStore> {
  const inner = new MemoryStore();
  await inner.commit("e", started("w", T0), { expectedSeq: 0 });
  return inner;
}

describe("FaultyStore", () => {
  it("fails a delivery or a cancellation request before writing it", async () => {
    const inner = await withExecution();
    const store = new FaultyStore(inner, seededRandom(7), { ...none, failBefore: 1 });
    await expect(store.deliver("e", { name: "go", payload: "1", time: T0 + 1 })).rejects.toThrow(/injected fault: the delivery of "go" to e failed before writing/);
    await expect(store.requestCancel("e", { time: T0 + 2 })).rejects.toThrow(/injected fault: the cancellation of e failed before writing/);
    expect([await inner.pending("e"), (await inner.get("e"))?.cancel, store.injected]).toEqual([[], undefined, 2]);
  });

  it("fails a delivery or a cancellation request after writing it", async () => {
    const inner = await withExecution();
    const store = new FaultyStore(inner, seededRandom(7), { ...none, failAfter: 1 });
    await expect(store.deliver("e", { name: "go", payload: "1", time: T0 + 1 })).rejects.toBeInstanceOf(StoreError);
    await expect(store.requestCancel("e", { time: T0 + 2 })).rejects.toBeInstanceOf(StoreError);
    expect([(await inner.pending("e")).map((event) => event.seq), (await inner.get("e"))?.cancel, store.injected]).toEqual([[1], { time: T0 + 2 }, 2]);
  });

  it("draws its faults from the seeded random in the same order for every write, so a seed replays", async () => {
    const outcomes = async () => {
      const store = new FaultyStore(await withExecution(), seededRandom(42), { failBefore: 0.3, failAfter: 0.3, slow: 0.5 });
      const seen: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        const write: () => Promise<unknown> = [
          () => store.deliver("e", { name: "go", payload: String(i), time: T0 + i }),
          () => store.requestCancel("e", { time: T0 + i }),
          () => store.commit("e", [], { expectedSeq: 1 }),
        ][i % 3]!;
        const fault = (error: Error) => (/before writing/.test(error.message) ? "before" : /written, then failed/.test(error.message) ? "after" : error.name);
        seen.push(await write().then(() => "ok", fault));
      }
      return seen;
    };
    const first = await outcomes();
    expect(new Set(first)).toEqual(new Set(["ok", "before", "after", "CancelRequestedError"]));
    expect(await outcomes()).toEqual(first);
  });
});

describe("DyingStore", () => {
  it("refuses deliveries and cancellation requests once dead, and still reads inboxes", async () => {
    const inner = await withExecution();
    const store: StateStore & { dead: boolean } = new DyingStore(inner);
    await store.deliver("e", { name: "go", payload: "1", time: T0 + 1 });
    store.dead = true;
    await expect(store.deliver("e", { name: "go", payload: "2", time: T0 + 2 })).rejects.toThrow(/the process is gone/);
    await expect(store.requestCancel("e", { time: T0 + 3 })).rejects.toThrow(/the process is gone/);
    expect((await store.pending("e")).map((event) => event.payload)).toEqual(["1"]);
    expect((await inner.get("e"))?.cancel).toBeUndefined();
  });
});
