// The group commit of a store whose commit waits on another thread (StateStore.groupCommit
// "in-flight", IndexedDB's): a commit goes to the store at once when none is in flight, the ones
// asked for meanwhile go together next, in order; a store without the setting waits for the turn.
import { describe, expect, test } from "vitest";
import { ConflictError, Engine, MemoryStore, task, workflow, type Commit } from "flux-ts";
import { CommitQueue } from "../src/commit-queue.js";
import { ExecutionEventType as T } from "../src/events.js";
import { ev, started, T0 } from "./conformance/case-context.js";

/** A memory store that records each batch as it is handed over, and can hold a batch until released. */
class HeldStore extends MemoryStore {
  readonly batches: string[][] = [];
  hold = false;
  readonly #held: (() => void)[] = [];
  constructor(readonly groupCommit: "turn" | "in-flight" | undefined) {
    super();
  }
  override async commitBatch(commits: readonly Commit[]): Promise<void> {
    this.batches.push(commits.map((c) => `${c.executionId}@${c.expectedSeq}+${c.events.length}`));
    if (this.hold) await new Promise<void>((resolve) => this.#held.push(resolve));
    return super.commitBatch(commits);
  }
  release(): void {
    this.hold = false;
    for (const resolve of this.#held.splice(0)) resolve();
  }
}

async function opened(mode: "turn" | "in-flight" | undefined): Promise<HeldStore> {
  const store = new HeldStore(mode);
  for (const id of ["a", "b"]) await store.commit(id, started("w", T0), { expectedSeq: 0 });
  store.batches.length = 0;
  return store;
}

describe("group commit for a store whose commits are in flight elsewhere", () => {
  test("a commit goes to the store within the call when none is in flight", async () => {
    const store = await opened("in-flight");
    const done = new CommitQueue(store).commit({ executionId: "a", events: [ev(1, T.TASK_STARTED)], expectedSeq: 1 });
    expect(store.batches).toEqual([["a@1+1"]]);
    await done;
  });

  test("without the setting, commits wait for the turn to end and go together", async () => {
    const store = await opened(undefined);
    const queue = new CommitQueue(store);
    const done = [queue.commit({ executionId: "a", events: [ev(1, T.TASK_STARTED)], expectedSeq: 1 }),
      queue.commit({ executionId: "b", events: [ev(1, T.TASK_STARTED)], expectedSeq: 1 })];
    expect(store.batches).toEqual([]);
    await Promise.all(done);
    expect(store.batches).toEqual([["a@1+1", "b@1+1"]]);
  });

  test("the commits asked for while one is in flight go together next, joined per execution, resolved in batch order", async () => {
    const store = await opened("in-flight");
    store.hold = true;
    const queue = new CommitQueue(store);
    const resolved: string[] = [];
    const commit = (id: string, seq: number) => queue.commit({ executionId: id, events: [ev(seq, T.TASK_STARTED)], expectedSeq: seq }).then(() => void resolved.push(`${id}@${seq}`));
    const first = commit("a", 1);
    const later = [commit("b", 1), commit("a", 2), commit("b", 2)];
    expect(store.batches).toEqual([["a@1+1"]]);
    store.release();
    await Promise.all([first, ...later]);
    // b's two commits line up and join (one commit, resolved together); a's second goes after
    // a's first, in the next batch.
    expect(store.batches).toEqual([["a@1+1"], ["b@1+2", "a@2+1"]]);
    expect(resolved).toEqual(["a@1", "b@1", "b@2", "a@2"]);
    expect((await store.load("a")).map((e) => e.id)).toEqual([0, 1, 2]);
    expect((await store.load("b")).map((e) => e.id)).toEqual([0, 1, 2]);
  });

  test("an engine on such a store: sequential steps commit one by one, a wide map still in a few batches", async () => {
    const store = new HeldStore("in-flight");
    const double = task("double", async (n: number) => 2 * n);
    const items = Array.from({ length: 500 }, (_, i) => i);
    const engine = new Engine({ store });
    const chain = await workflow("chain", async (c) => {
      let total = 0;
      for (let i = 0; i < 20; i += 1) total += await c.run(double, i);
      return total;
    }).run(undefined, { engine });
    expect(chain.output).toBe(380);
    const wide = await workflow("wide", async (c) => c.map(double, items)).run(undefined, { engine });
    expect(wide.output).toEqual(items.map((i) => 2 * i));
    const ofWide = store.batches.filter((batch) => batch.some((c) => c.startsWith(wide.executionId)));
    expect(ofWide.length).toBeLessThanOrEqual(4);
    const log = await store.load(wide.executionId);
    expect(log.map((e) => e.id)).toEqual(log.map((_, i) => i));
  });

  test("two runners of one execution on such a store: one wins, the other gets ConflictError, a bystander is unharmed", async () => {
    const store = new HeldStore("in-flight");
    let ran = 0;
    const counted = task("counted", async (n: number) => {
      ran += 1;
      return n;
    });
    const twoSteps = workflow("two_steps", async (c) => (await c.run(counted, 1)) + (await c.run(counted, 2)));
    const engine = new Engine({ store });
    const first = await engine.run(twoSteps, undefined);
    // Cut the history after the first step, as if its runner had died there.
    const history = (await store.load(first.executionId)).slice(0, 3);
    await store.commit("contended", history.map((e) => (e.type.startsWith("WORKFLOW_") ? { ...e, sourceId: "contended" } : e)), { expectedSeq: 0 });
    ran = 0;
    const [a, b, bystander] = await Promise.allSettled([
      engine.run(twoSteps, undefined, { executionId: "contended" }),
      engine.run(twoSteps, undefined, { executionId: "contended" }),
      engine.run(twoSteps, undefined),
    ]);
    expect([a!.status, b!.status].sort()).toEqual(["fulfilled", "rejected"]);
    expect(([a, b].find((r) => r!.status === "rejected") as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(bystander!.status).toBe("fulfilled");
    const log = await store.load("contended");
    expect(log.map((e) => e.id)).toEqual(log.map((_, i) => i));
    expect(log.filter((e) => e.type === "TASK_COMPLETED").map((e) => e.sourceId)).toEqual(["1", "2"]);
    // The bystander's two steps, and the contended step 2 by the winner (and by the loser at most
    // once more, should it lose only at its commit).
    expect(ran).toBeGreaterThanOrEqual(3);
    expect(ran).toBeLessThanOrEqual(4);
  });
});
