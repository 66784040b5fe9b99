import { describe, expect, test } from "vitest";
import {
  ConflictError, Engine, ExecutionTimeoutError, MemoryStore, SecretNotFoundError, SerializationError, VirtualClock,
  secretsFrom, task, workflow, type ExecutionError,
} from "flux-ts";

const types = (events: readonly { type: string }[]) => events.map((e) => e.type);

describe("retries, timeouts, fallback, rollback", () => {
  test("retry delays follow delay × backoff^n on the engine's clock", async () => {
    const clock = new VirtualClock({ auto: true });
    let calls = 0;
    const flaky = task({ name: "flaky", retry: { maxAttempts: 3, delay: 1000, backoff: 2 } }, async () => {
      calls += 1;
      if (calls < 4) throw new Error(`fail ${calls}`);
      return "ok";
    });
    const ctx = await workflow("retrying", async (c) => c.run(flaky)).run(undefined, { engine: new Engine({ clock }) });
    expect(ctx.output).toBe("ok");
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(clock.now()).toBe(7000);
    expect(ctx.events.filter((e) => e.type === "TASK_RETRY_FAILED").map((e) => ((e.value as { error: Error }).error).message)).toEqual(["fail 2", "fail 3"]);
  });

  test("a nested task's timeout fails its step; the parent sees ExecutionTimeoutError", async () => {
    const hang = task.withContext({ name: "hang", timeout: 30 }, (tc) => new Promise<never>((_, reject) => {
      tc.signal.addEventListener("abort", () => reject(tc.signal.reason));
    }));
    const parent = task.withContext("parent", async (tc) => {
      try {
        return await tc.run(hang);
      } catch (error) {
        return error instanceof ExecutionTimeoutError ? `timed out: ${error.timeout}` : "other";
      }
    });
    const started = Date.now();
    const ctx = await workflow("nested_timeout", async (c) => c.run(parent)).run(undefined, { engine: new Engine() });
    expect(ctx.output).toBe("timed out: 30");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ctx.events.filter((e) => e.sourceId === "1.1").map((e) => e.type)).toEqual(["TASK_STARTED", "TASK_FAILED"]);
  });

  test("a parent's timeout abandons its nested steps: they record nothing more", async () => {
    let nestedFinished = false;
    const slowChild = task("slow_child", async () => {
      await new Promise((r) => setTimeout(r, 80));
      nestedFinished = true;
      return "late";
    });
    const parent = task.withContext({ name: "parent", timeout: 20 }, async (tc) => tc.run(slowChild));
    const engine = new Engine();
    const ctx = await workflow("parent_timeout", async (c) => c.run(parent)).run(undefined, { engine });
    expect(ctx.output).toBeInstanceOf(ExecutionTimeoutError);
    await new Promise((r) => setTimeout(r, 120));
    expect(nestedFinished).toBe(true);
    const stored = await engine.store.load(ctx.executionId);
    expect(stored.filter((e) => e.sourceId === "1.1").map((e) => e.type)).toEqual(["TASK_STARTED"]);
    expect(stored.at(-1)?.type).toBe("WORKFLOW_FAILED");
  });

  test("fallback failure and rollback failure are both recorded", async () => {
    const bad = task({
      name: "bad",
      fallback: async () => { throw new Error("fallback broke"); },
      rollback: async () => { throw new Error("rollback broke"); },
    }, async (): Promise<string> => { throw new Error("body broke"); });
    const ctx = await workflow("all_bad", async (c) => c.run(bad)).run(undefined, { engine: new Engine() });
    expect(types(ctx.events)).toEqual([
      "WORKFLOW_STARTED", "TASK_STARTED", "TASK_FALLBACK_STARTED", "TASK_FALLBACK_FAILED",
      "TASK_ROLLBACK_STARTED", "TASK_ROLLBACK_FAILED", "TASK_FAILED", "WORKFLOW_FAILED",
    ]);
    expect(((ctx.output as ExecutionError).cause as Error).message).toBe("fallback broke");
  });
});

describe("values that cannot be recorded", () => {
  test("a result that is not JSON fails the step with an error naming the task; the log stays valid", async () => {
    const mapper = task("returns_map", async () => new Map([["a", 1]]));
    const engine = new Engine();
    const ctx = await workflow("bad_value", async (c) => c.run(mapper)).run(undefined, { engine });
    expect(ctx.failed).toBe(true);
    const cause = (ctx.output as ExecutionError).cause as Error;
    expect(cause).toBeInstanceOf(SerializationError);
    expect(cause.message).toContain('task "returns_map" (step 1) returned a value that cannot be recorded');
    expect(cause.message).toContain("an instance of Map");
    for (const event of await engine.store.load(ctx.executionId)) expect(() => JSON.parse(event.value)).not.toThrow();
  });

  test("arguments that are not JSON fail the step before the body runs", async () => {
    let ran = false;
    const takesFn = task("takes_fn", async (_f: unknown) => { ran = true; });
    const ctx = await workflow("bad_args", async (c) => c.run(takesFn, () => 1)).run(undefined, { engine: new Engine() });
    expect(ran).toBe(false);
    expect(((ctx.output as ExecutionError).cause as Error).message).toContain("the arguments of task \"takes_fn\"[0] cannot be recorded: it is a function");
  });

  test("Dates, nested JSON and unicode round-trip through a reload", async () => {
    const store = new MemoryStore();
    const value = { when: new Date("2026-01-02T03:04:05.006Z"), list: [1, "two", { three: null }], text: "héllo 🌍 \u2028", none: undefined };
    const echo = task("echo", async () => value);
    const ctx = await workflow("round_trip", async (c) => c.run(echo)).run(undefined, { engine: new Engine({ store }) });
    const reloaded = await new Engine({ store }).inspect(ctx.executionId);
    expect(reloaded?.output).toEqual(value);
    expect((reloaded?.output as typeof value).when).toBeInstanceOf(Date);
  });
});

describe("secrets", () => {
  test("a missing secret fails the task with an error naming it", async () => {
    const needs = task.withContext({ name: "needs_key", secrets: ["API_KEY"] }, async (tc) => tc.secrets.API_KEY);
    const ctx = await workflow("no_secret", async (c) => c.run(needs)).run(undefined, { engine: new Engine() });
    const cause = (ctx.output as ExecutionError).cause as Error;
    expect(cause).toBeInstanceOf(SecretNotFoundError);
    expect(cause.message).toContain('task "needs_key" (step 1) needs the secret API_KEY');
  });

  test("secret values are redacted from what the task records, errors included", async () => {
    const leaky = task.withContext({ name: "leaky", secrets: ["TOKEN"] }, async (tc): Promise<string> => {
      throw new Error(`auth failed with token ${tc.secrets.TOKEN}`);
    });
    const engine = new Engine({ secrets: secretsFrom({ TOKEN: "tok-123456" }) });
    const ctx = await workflow("leak", async (c) => c.run(leaky)).run(undefined, { engine });
    const raw = JSON.stringify(await engine.store.load(ctx.executionId));
    expect(raw).not.toContain("tok-123456");
    expect(raw).toContain("auth failed with token [secret]");
  });
});

describe("many executions in one realm", () => {
  test("100 concurrent runs never mix their events", async () => {
    const engine = new Engine();
    const echo = task("echo", async (n: number) => { await new Promise((r) => setTimeout(r, n % 7)); return n; });
    const wf = workflow("concurrent", async (c) => {
      const a = await c.run(echo, c.input as number);
      const b = await c.run(echo, (c.input as number) * 2);
      return a + b;
    });
    const runs = await Promise.all(Array.from({ length: 100 }, (_, i) => wf.run(i, { engine })));
    runs.forEach((ctx, i) => {
      expect(ctx.output).toBe(3 * i);
      const values = ctx.events.filter((e) => e.type === "TASK_COMPLETED").map((e) => e.value);
      expect(values).toEqual([i, 2 * i]);
    });
    for (const ctx of runs) expect((await engine.store.load(ctx.executionId)).length).toBe(6);
  });

  test("two runners resuming one execution: exactly one proceeds, the other gets ConflictError", async () => {
    const store = new MemoryStore();
    let bodies = 0;
    const after = task("after_pause", async () => (bodies += 1));
    const wf = workflow("contended", async (c) => { await c.pause("go"); return c.run(after); });
    const ctx = await wf.run(undefined, { engine: new Engine({ store }) });
    const results = await Promise.allSettled([
      wf.resume(ctx.executionId, 1, { engine: new Engine({ store }) }),
      wf.resume(ctx.executionId, 2, { engine: new Engine({ store }) }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(ConflictError);
    expect(bodies).toBe(1);
    expect((await store.load(ctx.executionId)).filter((e) => e.type === "TASK_RESUMED")).toHaveLength(1);
  });
});

describe("values nested too deep", () => {
  test("a result nested 100,000 levels deep fails its step with SerializationError, not a stack overflow", async () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const sink = task("deep_result", async () => deep);
    const ctx = await workflow("too_deep", async (c) => c.run(sink)).run(undefined, { engine: new Engine() });
    const cause = (ctx.output as ExecutionError).cause as Error;
    expect(cause).toBeInstanceOf(SerializationError);
    expect(cause.message).toContain("nested more than 1000 levels deep");
  });

  test("a value nested 999 levels deep is recorded and read back", async () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 998; i++) deep = [deep];
    const store = new MemoryStore();
    const echo = task("deep_ok", async () => deep);
    const ctx = await workflow("deep_enough", async (c) => c.run(echo)).run(undefined, { engine: new Engine({ store }) });
    expect(ctx.succeeded).toBe(true);
    expect((await new Engine({ store }).inspect(ctx.executionId))?.output).toEqual(deep);
  });
});
