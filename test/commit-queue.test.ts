import { describe, expect, test } from "vitest";
import { ConflictError, Engine, MemoryStore, task, workflow, type Commit } from "flux-ts";

/** A memory store that records every batch it is given (how many commits, how many events each). */
class CountingStore extends MemoryStore {
  readonly batches: { executionId: string; events: number }[][] = [];
  override async commitBatch(commits: readonly Commit[]): Promise<void> {
    this.batches.push(commits.map((c) => ({ executionId: c.executionId, events: c.events.length })));
    return super.commitBatch(commits);
  }
}

const double = task("double", async (n: number) => 2 * n);

describe("group commit", () => {
  test("the steps of a map that finish in one turn make one append, not one per step", async () => {
    const store = new CountingStore();
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const ctx = await workflow("wide_map", async (c) => c.map(double, items)).run(undefined, { engine: new Engine({ store }) });
    expect(ctx.output).toEqual(items.map((i) => 2 * i));
    const commits = store.batches.flat();
    expect(commits.every((c) => c.executionId === ctx.executionId)).toBe(true);
    expect(commits.length).toBeLessThanOrEqual(3);
    expect(commits.reduce((sum, c) => sum + c.events, 0)).toBe(2 + 2 * items.length);
    const stored = await store.load(ctx.executionId);
    expect(stored.map((e) => e.id)).toEqual(stored.map((_, i) => i));
  });

  test("executions that commit in the same turn share a batch, one commit each", async () => {
    const store = new CountingStore();
    const engine = new Engine({ store });
    const hello = workflow("hello", async (c) => c.run(double, 21));
    const runs = await Promise.all(Array.from({ length: 50 }, () => engine.run(hello, undefined)));
    expect(runs.every((ctx) => ctx.output === 42)).toBe(true);
    expect(store.batches.length).toBeLessThan(10);
    for (const batch of store.batches) expect(new Set(batch.map((c) => c.executionId)).size).toBe(batch.length);
  });

  test("two runners of one execution on one engine: one wins, the other gets ConflictError, a bystander is unharmed", async () => {
    const store = new MemoryStore();
    let ran = 0;
    const counted = task("counted", async (n: number) => {
      ran += 1;
      return n;
    });
    const twoSteps = workflow("two_steps", async (c) => (await c.run(counted, 1)) + (await c.run(counted, 2)));
    const engine = new Engine({ store });
    const first = await engine.run(twoSteps, undefined);
    // Cut the history after the first step, as if its process had died there.
    const history = (await store.load(first.executionId)).slice(0, 3);
    await store.commit("contended", history.map((e) => (e.type.startsWith("WORKFLOW_") ? { ...e, sourceId: "contended" } : e)), { expectedSeq: 0 });
    ran = 0;
    const results = await Promise.allSettled([
      engine.run(twoSteps, undefined, { executionId: "contended" }),
      engine.run(twoSteps, undefined, { executionId: "contended" }),
      engine.run(twoSteps, undefined),
    ]);
    const [a, b, bystander] = results;
    expect([a!.status, b!.status].sort()).toEqual(["fulfilled", "rejected"]);
    const loser = [a, b].find((r): r is PromiseRejectedResult => r!.status === "rejected")!;
    expect(loser.reason).toBeInstanceOf(ConflictError);
    expect(bystander!.status).toBe("fulfilled");
    const log = await store.load("contended");
    expect(log.map((e) => e.id)).toEqual(log.map((_, i) => i));
    expect(log.filter((e) => e.type === "TASK_COMPLETED").map((e) => e.sourceId)).toEqual(["1", "2"]);
    expect(log.at(-1)?.type).toBe("WORKFLOW_COMPLETED");
  });
});
